using System.Net.Http.Json;
using AdminPortal.Data.Audit;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Security;
using Npgsql;

namespace AdminPortal.Tests.Audit;

/// <summary>Each test tampers with the chain as the database superuser, so each gets its own portal and database.</summary>
public sealed class AuditTamperingTests
{
    private static readonly AuditActor Tester = new("tamper-tester", "Admin", null);

    private static async Task RecordAsync(PortalApp app, int count, string action = "test.event")
    {
        var work = app.Service<AuditedWork>();
        for (var i = 0; i < count; i++)
            await work.RecordAsync(new AuditEntry(Tester, action, $"item:{i}", new { i }), CancellationToken.None);
    }

    private static async Task<long> CheckpointAsync(PortalApp app)
    {
        var admin = await app.TokenClientAsync(Roles.Admin);
        var response = await admin.PostAsync("/api/v1/audit/checkpoints", null);
        response.EnsureSuccessStatusCode();
        var cp = (await response.Content.ReadFromJsonAsync<AuditCheckpoint>())!;
        Assert.Equal(await AuditTamper.HeadAsync(app.SuperuserConnectionString), cp.Sequence);
        return cp.Sequence;
    }

    [Fact]
    public async Task A_row_updated_by_the_superuser_is_reported_as_the_first_broken_sequence()
    {
        await using var app = new PortalApp();
        var auditor = await app.TokenClientAsync(Roles.Auditor);
        await RecordAsync(app, 10);
        Assert.True((await AuditVerifyResult.GetAsync(auditor)).Ok);
        var victim = await AuditTamper.HeadAsync(app.SuperuserConnectionString) - 4;

        Assert.Equal(1, await AuditTamper.ExecuteAsync(app, "UPDATE audit_events SET outcome = 'failure' WHERE sequence = $1", victim));

        var result = await AuditVerifyResult.GetAsync(auditor);
        Assert.False(result.Ok);
        Assert.Equal(victim, result.FirstBrokenSequence);
        Assert.NotNull(result.Problem);
    }

    [Fact]
    public async Task A_rewrite_that_recomputes_every_hash_is_caught_by_the_checkpoint_signed_before_it()
    {
        await using var app = new PortalApp();
        var auditor = await app.TokenClientAsync(Roles.Auditor);
        await RecordAsync(app, 10);
        var checkpoint = await CheckpointAsync(app);
        await RecordAsync(app, 5);
        var victim = checkpoint - 3;

        await AuditTamper.RewriteAsync(app, victim, "operator:someone-else@example.test");

        // The rewritten chain is internally consistent: without checkpoints it verifies.
        var noCheckpoints = Path.Combine(app.DataDirectory, "no-checkpoints");
        var bare = new AuditVerifier(new AuditCheckpoints(new CheckpointSettings(noCheckpoints, Path.Combine(noCheckpoints, "key.pem"))));
        await using (var ds = NpgsqlDataSource.Create(app.SuperuserConnectionString))
            Assert.True((await bare.VerifyAsync(ds, CancellationToken.None)).Ok);

        var result = await AuditVerifyResult.GetAsync(auditor);
        Assert.False(result.Ok);
        Assert.NotNull(result.FirstBrokenSequence);
        Assert.InRange(result.FirstBrokenSequence!.Value, victim, checkpoint);
        Assert.Contains("checkpoint", result.Problem);
    }

    [Fact]
    public async Task Deleting_the_tail_and_moving_the_head_back_is_caught_by_a_checkpoint_past_the_new_end()
    {
        await using var app = new PortalApp();
        var auditor = await app.TokenClientAsync(Roles.Auditor);
        await RecordAsync(app, 10);
        var checkpoint = await CheckpointAsync(app);
        var newEnd = checkpoint - 4;

        await AuditTamper.TruncateAfterAsync(app, newEnd);
        Assert.Equal(newEnd, await AuditTamper.HeadAsync(app.SuperuserConnectionString));

        var result = await AuditVerifyResult.GetAsync(auditor);
        Assert.False(result.Ok);
        Assert.Equal(newEnd + 1, result.FirstBrokenSequence);
        Assert.Equal(newEnd, result.Checked);
    }

    [Fact]
    public async Task A_forged_checkpoint_file_makes_verification_fail()
    {
        await using var app = new PortalApp();
        var auditor = await app.TokenClientAsync(Roles.Auditor);
        await RecordAsync(app, 3);
        await CheckpointAsync(app);
        var dir = Path.Combine(app.DataDirectory, "audit-checkpoints");
        var file = Directory.GetFiles(dir, "checkpoint-*.json").Order().Last();
        var forged = File.ReadAllText(file).Replace("\"headHash\": \"", "\"headHash\": \"00");
        File.WriteAllText(Path.Combine(dir, "checkpoint-99999999999999999999-0.json"), forged);

        var result = await AuditVerifyResult.GetAsync(auditor);
        Assert.False(result.Ok);
    }
}
