using System.Diagnostics;
using AdminPortal.Data.Audit;
using Npgsql;
using NpgsqlTypes;

namespace AdminPortal.Benchmarks;

public sealed record VerifyResult(long Rows, double LoadSeconds, double VerifySeconds, double PlainReadSeconds, bool Ok)
{
    public double Ratio => VerifySeconds / PlainReadSeconds;
}

/// <summary>
/// <see cref="AuditVerifier.VerifyAsync"/> over a large chain, bulk-loaded with binary COPY, versus a plain
/// ordered read of the same rows and columns without hashing.
/// </summary>
public sealed class VerifyBenchmark(NpgsqlDataSource db, string checkpointDirectory)
{
    public async Task<VerifyResult> MeasureAsync(long rows, int runs)
    {
        var load = Stopwatch.StartNew();
        await LoadChainAsync(rows);
        load.Stop();
        await using (var analyze = db.CreateCommand("VACUUM ANALYZE audit_events")) await analyze.ExecuteNonQueryAsync();

        var verifier = new AuditVerifier(new AuditCheckpoints(new CheckpointSettings(checkpointDirectory, Path.Combine(checkpointDirectory, "key.pem"))));
        var first = await verifier.VerifyAsync(db, CancellationToken.None); // warm-up (and the cache)
        if (!first.Ok || first.Checked != rows) throw new InvalidOperationException($"The loaded chain does not verify: {first}");
        await PlainReadAsync();

        var verify = new List<double>();
        var plain = new List<double>();
        var ok = true;
        for (var r = 0; r < runs; r++)
        {
            var sw = Stopwatch.StartNew();
            ok &= (await verifier.VerifyAsync(db, CancellationToken.None)).Ok;
            verify.Add(sw.Elapsed.TotalSeconds);
            sw.Restart();
            await PlainReadAsync();
            plain.Add(sw.Elapsed.TotalSeconds);
        }
        return new VerifyResult(rows, load.Elapsed.TotalSeconds, AppendBenchmark.Median(verify), AppendBenchmark.Median(plain), ok);
    }

    private async Task LoadChainAsync(long rows)
    {
        await using var conn = await db.OpenConnectionAsync();
        var prev = new byte[AuditHasher.HashSize];
        var start = AuditHasher.Truncate(DateTimeOffset.UtcNow.AddDays(-30));
        await using (var w = await conn.BeginBinaryImportAsync(
            "COPY audit_events (sequence, occurred_at, actor, actor_role, action, target, details, client_address, outcome, prev_hash, hash) FROM STDIN (FORMAT BINARY)"))
        {
            for (long seq = 1; seq <= rows; seq++)
            {
                var at = start.AddTicks(seq * 10_000);
                var actor = $"operator{seq % 17}@example.test";
                var action = (seq % 3) switch { 0 => "certificate.issued", 1 => "bundle.delivered", _ => "operator.login" };
                var target = $"user:{seq % 5000}";
                var details = $$"""{"serial":"{{seq:x16}}","profile":"client"}""";
                var hash = AuditHasher.Compute(prev, seq, at, actor, "Admin", action, target, details, "10.0.0.7", AuditOutcome.Success);
                await w.StartRowAsync();
                await w.WriteAsync(seq, NpgsqlDbType.Bigint);
                await w.WriteAsync(at, NpgsqlDbType.TimestampTz);
                await w.WriteAsync(actor, NpgsqlDbType.Varchar);
                await w.WriteAsync("Admin", NpgsqlDbType.Varchar);
                await w.WriteAsync(action, NpgsqlDbType.Varchar);
                await w.WriteAsync(target, NpgsqlDbType.Varchar);
                await w.WriteAsync(details, NpgsqlDbType.Json);
                await w.WriteAsync("10.0.0.7", NpgsqlDbType.Varchar);
                await w.WriteAsync(AuditOutcome.Success, NpgsqlDbType.Varchar);
                await w.WriteAsync(prev, NpgsqlDbType.Bytea);
                await w.WriteAsync(hash, NpgsqlDbType.Bytea);
                prev = hash;
            }
            await w.CompleteAsync();
        }
        await using var head = new NpgsqlCommand("UPDATE audit_chain_head SET sequence = $1, hash = $2 WHERE id = 1", conn)
        {
            Parameters = { new() { Value = rows }, new() { Value = prev } },
        };
        await head.ExecuteNonQueryAsync();
    }

    /// <summary>The same rows and columns in the same order, read into the same shape, without hashing.</summary>
    private async Task<long> PlainReadAsync()
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT sequence, occurred_at, actor, actor_role, action, target, details::text, client_address, outcome, prev_hash, hash " +
            "FROM audit_events ORDER BY sequence", conn);
        await using var r = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess);
        long n = 0;
        while (await r.ReadAsync())
        {
            _ = new AuditEvent
            {
                Sequence = r.GetInt64(0), OccurredAt = r.GetFieldValue<DateTimeOffset>(1), Actor = r.GetString(2), ActorRole = r.GetString(3),
                Action = r.GetString(4), Target = r.GetString(5), Details = r.GetString(6), ClientAddress = r.IsDBNull(7) ? null : r.GetString(7),
                Outcome = r.GetString(8), PrevHash = r.GetFieldValue<byte[]>(9), Hash = r.GetFieldValue<byte[]>(10),
            };
            n++;
        }
        return n;
    }
}
