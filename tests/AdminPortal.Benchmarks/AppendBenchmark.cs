using System.Diagnostics;
using AdminPortal.Data.Audit;
using Npgsql;

namespace AdminPortal.Benchmarks;

/// <summary>
/// Chain: AuditedWork's protocol (commit without the flush under the lock, then the durability barrier).
/// ChainFlushUnderLock: AuditLog.AppendAsync then a plain synchronous commit. TwoRoundTrips: the AuditLog
/// before the audit_append function, synchronous commit. Plain: the baseline.
/// </summary>
public enum AppendMode { Chain, ChainFlushUnderLock, TwoRoundTrips, Plain }

public sealed record AppendResult(int Writers, double ChainPerSecond, double PlainPerSecond, double FlushUnderLockPerSecond, double TwoRoundTripsPerSecond)
{
    public double Ratio => ChainPerSecond / PlainPerSecond;
}

/// <summary>
/// Events per second from concurrent writers, each event its own transaction: through <see cref="AuditLog"/>
/// (chain lock + hash) versus the same transaction inserting the same row into a plain table whose key comes
/// from a PostgreSQL sequence (no lock, no hash). Warm-up first; the median of several runs is reported.
/// </summary>
public sealed class AppendBenchmark(NpgsqlDataSource db)
{
    private static readonly AuditActor Actor = new("bench@example.test", "Admin", "127.0.0.1");
    private readonly AuditLog _log = new(TimeProvider.System);

    public async Task PrepareAsync()
    {
        await using var cmd = db.CreateCommand(
            "CREATE TABLE IF NOT EXISTS bench_plain (sequence bigserial PRIMARY KEY, occurred_at timestamptz NOT NULL, actor varchar(256) NOT NULL, " +
            "actor_role varchar(32) NOT NULL, action varchar(128) NOT NULL, target varchar(512) NOT NULL, details json NOT NULL, " +
            "client_address varchar(64), outcome varchar(16) NOT NULL, prev_hash bytea NOT NULL, hash bytea NOT NULL)");
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<AppendResult> MeasureAsync(int writers, int eventsPerRun, int runs)
    {
        AppendMode[] modes = [AppendMode.Chain, AppendMode.Plain, AppendMode.ChainFlushUnderLock, AppendMode.TwoRoundTrips];
        foreach (var m in modes) await RunAsync(writers, Math.Max(writers * 20, 200), m); // warm-up: pool, plans, JIT
        var results = modes.ToDictionary(m => m, _ => new List<double>());
        for (var r = 0; r < runs; r++)
            foreach (var m in modes) results[m].Add(await RunAsync(writers, eventsPerRun, m)); // interleaved: same machine conditions
        return new AppendResult(writers, Median(results[AppendMode.Chain]), Median(results[AppendMode.Plain]),
            Median(results[AppendMode.ChainFlushUnderLock]), Median(results[AppendMode.TwoRoundTrips]));
    }

    /// <summary>Sanity check of the barrier: after it returns, the WAL is flushed through the asynchronous commit.</summary>
    public async Task<bool> BarrierFlushesAsync()
    {
        await using var conn = await db.OpenConnectionAsync();
        await using (var tx = await conn.BeginTransactionAsync())
        {
            await AuditLog.DeferCommitFlushAsync(conn, tx, CancellationToken.None);
            await _log.AppendAsync(conn, tx, [new AuditEntry(Actor, "bench.barrier", "check")], CancellationToken.None);
            await tx.CommitAsync();
        }
        var committedUpTo = await new NpgsqlCommand("SELECT pg_current_wal_insert_lsn()::text", conn).ExecuteScalarAsync();
        await AuditLog.WaitDurableAsync(conn, CancellationToken.None);
        await using var check = new NpgsqlCommand("SELECT pg_current_wal_flush_lsn() >= $1::text::pg_lsn", conn) { Parameters = { new() { Value = committedUpTo! } } };
        return (bool)(await check.ExecuteScalarAsync())!;
    }

    private async Task<double> RunAsync(int writers, int events, AppendMode mode)
    {
        var remaining = events;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            await using var conn = await db.OpenConnectionAsync();
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var entry = new AuditEntry(Actor, "certificate.issued", $"certificate:{w}", new { serial = "0a1b2c3d", profile = "client" });
                await using var tx = await conn.BeginTransactionAsync();
                if (mode == AppendMode.Chain) await AuditLog.DeferCommitFlushAsync(conn, tx, CancellationToken.None);
                if (mode is AppendMode.Chain or AppendMode.ChainFlushUnderLock) await _log.AppendAsync(conn, tx, [entry], CancellationToken.None);
                else if (mode == AppendMode.TwoRoundTrips) await TwoRoundTripAppend.AppendAsync(conn, tx, entry);
                else await InsertPlainAsync(conn, tx, entry);
                await tx.CommitAsync();
                if (mode == AppendMode.Chain) await AuditLog.WaitDurableAsync(conn, CancellationToken.None);
            }
        })));
        sw.Stop();
        return events / sw.Elapsed.TotalSeconds;
    }

    private static readonly byte[] NoHash = new byte[AuditHasher.HashSize];

    private static async Task InsertPlainAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AuditEntry e)
    {
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO bench_plain (occurred_at, actor, actor_role, action, target, details, client_address, outcome, prev_hash, hash) " +
            "VALUES ($1, $2, $3, $4, $5, $6::json, $7, $8, $9, $10)", conn, tx)
        {
            Parameters =
            {
                new() { Value = AuditHasher.Truncate(DateTimeOffset.UtcNow) }, new() { Value = e.Actor.Name }, new() { Value = e.Actor.Role },
                new() { Value = e.Action }, new() { Value = e.Target }, new() { Value = e.DetailsJson() },
                new() { Value = (object?)e.Actor.ClientAddress ?? DBNull.Value }, new() { Value = e.Outcome }, new() { Value = NoHash }, new() { Value = NoHash },
            },
        };
        await cmd.ExecuteNonQueryAsync();
    }

    public static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}
