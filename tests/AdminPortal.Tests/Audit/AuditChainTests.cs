using AdminPortal.Data.Audit;
using AdminPortal.Data.Operators;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AdminPortal.Tests.Audit;

public sealed class AuditChainTests(PortalApp app) : IClassFixture<PortalApp>
{
    private static readonly AuditActor Tester = new("chain-tester", "Admin", "127.0.0.1");

    [Fact]
    public async Task A_thousand_events_from_twenty_concurrent_writers_form_one_gapless_verified_chain()
    {
        var auditor = await app.TokenClientAsync(Roles.Auditor);
        var work = app.Service<AuditedWork>();
        await Task.WhenAll(Enumerable.Range(0, 20).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
                await work.RecordAsync(new AuditEntry(Tester, "test.concurrent", $"writer:{w}", new { i }), CancellationToken.None);
        })));

        var sequences = await AuditTamper.SequencesAsync(app.SuperuserConnectionString);
        Assert.True(sequences.Count >= 1000, $"only {sequences.Count} events");
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
        Assert.Equal(sequences.Count, await AuditTamper.HeadAsync(app.SuperuserConnectionString));
        await using (var db = await app.DbAsync())
            Assert.Equal(1000, await db.AuditEvents.CountAsync(e => e.Action == "test.concurrent"));

        var result = await AuditVerifyResult.GetAsync(auditor);
        Assert.True(result.Ok, result.Problem);
        Assert.Equal(sequences.Count, result.Checked);
        Assert.Null(result.FirstBrokenSequence);
    }

    [Fact]
    public async Task Verification_while_events_are_being_appended_reports_the_chain_intact()
    {
        var work = app.Service<AuditedWork>();
        var verifier = app.Service<AuditVerifier>();
        var dataSource = app.Service<NpgsqlDataSource>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 5000 && !stop.IsCancellationRequested; i++)
                await work.RecordAsync(new AuditEntry(Tester, "test.during_verify", $"writer:{w}", new { i }), CancellationToken.None);
        })).ToList();

        var results = new List<AuditVerification>();
        try
        {
            for (var i = 0; i < 15; i++) results.Add(await verifier.VerifyAsync(dataSource, CancellationToken.None));
        }
        finally
        {
            stop.Cancel();
            await Task.WhenAll(writers);
        }

        Assert.All(results, r => Assert.True(r.Ok, $"{r.Problem} at {r.FirstBrokenSequence}"));
    }

    [Fact]
    public async Task Group_commit_batches_larger_than_one_copy_send_store_every_row_as_given_and_hashed()
    {
        // About 6 KiB of details a row (each ü is written as \u00FC): a batch of more than 10 rows is more than the
        // 60 KiB the batch sends at once, so it goes to PostgreSQL in several COPY sends.
        var batcher = app.Service<AuditBatcher>();
        var note = new string('ü', 1000);
        var written = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => batcher.AppendAsync(
            new AuditEntry(new AuditActor($"batch-testér-{i % 7}", "Helpdesk", i % 2 == 0 ? null : "2001:db8::7"), "test.batch_copy", $"row:{i}", new { i, note }),
            activeCertificate: null, CancellationToken.None)));

        Assert.All(written, Assert.True);
        await using var db = await app.DbAsync();
        var rows = await db.AuditEvents.Where(x => x.Action == "test.batch_copy").OrderBy(x => x.Sequence).ToListAsync();
        Assert.Equal(400, rows.Count);
        Assert.Equal(Enumerable.Range(0, 400).Select(i => $"row:{i}").Order(), rows.Select(r => r.Target).Order());
        foreach (var r in rows)
        {
            var i = int.Parse(r.Target[4..]);
            Assert.Equal($"batch-testér-{i % 7}", r.Actor);
            Assert.Equal(i % 2 == 0 ? null : "2001:db8::7", r.ClientAddress);
            Assert.Equal(new AuditEntry(AuditActor.System, "x", "y", new { i, note }).DetailsJson(), r.Details);
            Assert.Equal(AuditHasher.Compute(r), r.Hash);
            Assert.Equal((await db.AuditEvents.SingleAsync(x => x.Sequence == r.Sequence - 1)).Hash, r.PrevHash);
        }
        // A batch's rows share their time: at least one batch was big enough to need several sends.
        var largest = rows.GroupBy(r => r.OccurredAt).Max(g => g.Count());
        Assert.True(largest > 10, $"the largest batch had {largest} rows: no batch needed more than one send");
        var result = await AuditVerifyResult.GetAsync(await app.TokenClientAsync(Roles.Auditor));
        Assert.True(result.Ok, result.Problem);
    }

    [Theory]
    [InlineData("operator:zoë@example.test", null, """{"note":"ünïcödé ✓ 𝄞"}""")]
    [InlineData("", "2001:db8::1", "{}")]
    public async Task The_stored_hash_is_the_one_AuditHasher_computes(string target, string? client, string detailsJson)
    {
        var details = System.Text.Json.JsonDocument.Parse(detailsJson).RootElement;
        await app.Service<AuditedWork>().RecordAsync(new AuditEntry(new AuditActor("hash-tester", "Auditor", client), "test.hash", target, details), CancellationToken.None);
        await using var db = await app.DbAsync();
        var e = await db.AuditEvents.Where(x => x.Action == "test.hash" && x.Target == target).OrderByDescending(x => x.Sequence).FirstAsync();
        var previous = await db.AuditEvents.SingleAsync(x => x.Sequence == e.Sequence - 1);
        Assert.Equal(client, e.ClientAddress);
        Assert.Equal(previous.Hash, e.PrevHash);
        Assert.Equal(AuditHasher.Compute(e), e.Hash);
    }

    [Fact]
    public async Task A_rolled_back_change_leaves_neither_the_change_nor_its_event_and_the_next_event_takes_the_next_sequence()
    {
        var before = await AuditTamper.HeadAsync(app.SuperuserConnectionString);
        var name = $"rolled-back-{Guid.NewGuid():N}"[..24];
        await using (var db = await app.DbAsync())
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            db.ApiTokens.Add(new ApiToken
            {
                Id = Guid.NewGuid(), Name = name, Role = Roles.Auditor, TokenHash = new byte[32], Prefix = "ap_xxxxxxx",
                CreatedAt = DateTimeOffset.UtcNow, CreatedBy = Tester.Name,
            });
            await db.SaveChangesAsync();
            var seq = await app.Service<AuditLog>().AppendAsync(db, new AuditEntry(Tester, "token.created", $"token:{name}"), CancellationToken.None);
            Assert.Equal(before + 1, seq);
            await tx.RollbackAsync();
        }

        await using (var db = await app.DbAsync())
        {
            Assert.False(await db.ApiTokens.AnyAsync(t => t.Name == name));
            Assert.False(await db.AuditEvents.AnyAsync(e => e.Target == $"token:{name}"));
        }
        Assert.Equal(before, await AuditTamper.HeadAsync(app.SuperuserConnectionString));

        await app.Service<AuditedWork>().RecordAsync(new AuditEntry(Tester, "test.after-rollback", name), CancellationToken.None);
        await using (var db = await app.DbAsync())
            Assert.Equal(before + 1, (await db.AuditEvents.SingleAsync(e => e.Target == name)).Sequence);
    }

    [Fact]
    public async Task An_event_whose_details_carry_a_secret_is_refused_and_nothing_is_written()
    {
        var before = await AuditTamper.HeadAsync(app.SuperuserConnectionString);
        await Assert.ThrowsAsync<InvalidOperationException>(() => app.Service<AuditedWork>().RecordAsync(
            new AuditEntry(Tester, "test.secret", "secret-target", new { password = "hunter2" }), CancellationToken.None));
        Assert.Equal(before, await AuditTamper.HeadAsync(app.SuperuserConnectionString));
    }

    [Theory]
    [InlineData("UPDATE audit_events SET target = 'x' WHERE sequence = (SELECT max(sequence) FROM audit_events)")]
    [InlineData("DELETE FROM audit_events WHERE sequence = (SELECT max(sequence) FROM audit_events)")]
    [InlineData("TRUNCATE audit_events")]
    public async Task The_application_role_cannot_change_or_remove_audit_events(string sql)
    {
        await app.Service<AuditedWork>().RecordAsync(new AuditEntry(Tester, "test.protected", "row"), CancellationToken.None);
        await using var conn = new NpgsqlConnection(app.AppConnectionString);
        await conn.OpenAsync();
        var e = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand(sql, conn).ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState);
    }

    [Fact]
    public async Task The_application_role_can_append_and_read_audit_events()
    {
        await using var conn = new NpgsqlConnection(app.AppConnectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var seq = (await app.Service<AuditLog>().AppendAsync(conn, tx, [new AuditEntry(Tester, "test.app-role", "insert")], CancellationToken.None))[0];
        await tx.CommitAsync();
        await using var read = new NpgsqlCommand("SELECT action FROM audit_events WHERE sequence = $1", conn) { Parameters = { new() { Value = seq } } };
        Assert.Equal("test.app-role", await read.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_triggers_refuse_changes_even_for_the_table_owner()
    {
        await app.Service<AuditedWork>().RecordAsync(new AuditEntry(Tester, "test.owner", "row"), CancellationToken.None);
        await using var conn = new NpgsqlConnection(app.SuperuserConnectionString);
        await conn.OpenAsync();
        var e = await Assert.ThrowsAsync<PostgresException>(() =>
            new NpgsqlCommand("DELETE FROM audit_events WHERE action = 'test.owner'", conn).ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState);
    }
}
