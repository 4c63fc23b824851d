using System.Diagnostics;
using AdminPortal.Data;
using AdminPortal.Data.Audit;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AdminPortal.Benchmarks;

public sealed record PageQueryResult(string Query, double Milliseconds, double BaselineMilliseconds, int Rows)
{
    public double Ratio => Milliseconds / BaselineMilliseconds;
}

/// <summary>
/// The audit page's queries (AuditQuery.PageAsync, 50 rows, keyset paging and filters) on the verification
/// database's rows; baseline in the same run: AuditQuery.GetAsync, one row by its sequence number.
/// </summary>
public sealed class PageQueryBenchmark(string connectionString)
{
    private sealed class Factory(string cs) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => new(PortalDb.Configure(new DbContextOptionsBuilder<PortalDbContext>(), cs).Options);
    }

    public async Task<IReadOnlyList<PageQueryResult>> MeasureAsync(long rows, int repetitions)
    {
        await using (var conn = new NpgsqlConnection(connectionString))
        {
            await conn.OpenAsync();
            await using var analyze = new NpgsqlCommand("ANALYZE audit_events", conn);
            await analyze.ExecuteNonQueryAsync();
        }
        var query = new AuditQuery(new Factory(connectionString));
        var start = AuditHasher.Truncate(DateTimeOffset.UtcNow.AddDays(-30));
        (string Name, Func<Task<int>> Run)[] cases =
        [
            ("newest page, no filter", async () => (await query.PageAsync(new AuditFilter(), null, 50, default)).Items.Count),
            ("oldest page (keyset `before` near the start)", async () => (await query.PageAsync(new AuditFilter(), 60, 50, default)).Items.Count),
            ("actor filter, newest page", async () => (await query.PageAsync(new AuditFilter(Actor: "operator3@example.test"), null, 50, default)).Items.Count),
            ("actor filter, deep page", async () => (await query.PageAsync(new AuditFilter(Actor: "operator3@example.test"), rows / 10, 50, default)).Items.Count),
            ("action prefix `certificate.`", async () => (await query.PageAsync(new AuditFilter(Action: "certificate."), null, 50, default)).Items.Count),
            ("action prefix with no match", async () => (await query.PageAsync(new AuditFilter(Action: "mail.mailbox."), null, 50, default)).Items.Count),
            ("target filter (1 row in 5,000)", async () => (await query.PageAsync(new AuditFilter(Target: "user:42"), null, 50, default)).Items.Count),
            ("time range of one hour", async () => (await query.PageAsync(new AuditFilter(From: start.AddTicks(rows * 5_000), To: start.AddTicks(rows * 5_000).AddHours(1)), null, 50, default)).Items.Count),
        ];
        async Task<double> Baseline() => await TimeAsync(async () => (await query.GetAsync(rows / 2, default)) is null ? 0 : 1, repetitions).ContinueWith(t => t.Result.Ms);

        foreach (var c in cases) await c.Run(); // warm-up: JIT, EF's query cache, plans
        await Baseline();
        var results = new List<PageQueryResult>();
        foreach (var c in cases)
        {
            var (ms, n) = await TimeAsync(c.Run, repetitions);
            results.Add(new PageQueryResult(c.Name, ms, await Baseline(), n));
        }
        return results;
    }

    private static async Task<(double Ms, int Rows)> TimeAsync(Func<Task<int>> run, int repetitions)
    {
        var times = new List<double>();
        var n = 0;
        for (var i = 0; i < repetitions; i++)
        {
            var sw = Stopwatch.StartNew();
            n = await run();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        return (AppendBenchmark.Median(times), n);
    }
}
