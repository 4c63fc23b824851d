using AdminPortal.Data.Audit;
using AdminPortal.Web.Audit;
using Npgsql;

namespace AdminPortal.Web.Dashboard;

public sealed record DayActivity(DateOnly Day, long Events, long Failures);

/// <summary>Active certificates expiring within 7, 30 and 90 days, and when the current CRL runs out.</summary>
public sealed record CertificateOutlook(long Within7Days, long Within30Days, long Within90Days, DateTimeOffset? CrlNextUpdate);

public sealed record DashboardFigures(
    long Operators, long ActiveTokens, long AuditEvents, long EventsLast24h, long FailedLast24h,
    IReadOnlyList<DayActivity> Activity, AuditCheckpoint? LatestCheckpoint, CertificateOutlook Certificates);

/// <summary>The dashboard's figures, read in one round trip from live tables.</summary>
public sealed class DashboardService(NpgsqlDataSource dataSource, AuditIntegrity integrity, TimeProvider time)
{
    public const int Days = 14;

    private const string Figures = """
        SELECT (SELECT count(*) FROM "AspNetUsers" WHERE NOT "IsDisabled"),
               (SELECT count(*) FROM api_tokens WHERE "RevokedAt" IS NULL),
               (SELECT sequence FROM audit_chain_head WHERE id = 1),
               (SELECT count(*) FROM audit_events WHERE occurred_at >= $1),
               (SELECT count(*) FROM audit_events WHERE occurred_at >= $1 AND outcome <> 'success'),
               (SELECT count(*) FROM certificates WHERE "Status" = 'active' AND "NotAfter" > $2 AND "NotAfter" <= $2 + interval '7 days'),
               (SELECT count(*) FROM certificates WHERE "Status" = 'active' AND "NotAfter" > $2 AND "NotAfter" <= $2 + interval '30 days'),
               (SELECT count(*) FROM certificates WHERE "Status" = 'active' AND "NotAfter" > $2 AND "NotAfter" <= $2 + interval '90 days'),
               (SELECT min("CrlNextUpdate") FROM certificate_authorities) -- the first CRL to run out, root or intermediate
        """;

    private const string PerDay = """
        SELECT (occurred_at AT TIME ZONE 'UTC')::date, count(*), count(*) FILTER (WHERE outcome <> 'success')
          FROM audit_events WHERE occurred_at >= $1 GROUP BY 1 ORDER BY 1
        """;

    public async Task<DashboardFigures> LoadAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var firstDay = DateOnly.FromDateTime(now.UtcDateTime).AddDays(-(Days - 1));
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(Figures) { Parameters = { new() { Value = now.AddDays(-1) }, new() { Value = now } } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(PerDay) { Parameters = { new() { Value = new DateTimeOffset(firstDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) } } });
        await using var r = await batch.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var (operators, tokens, events, last24, failed24) = (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4));
        var outlook = new CertificateOutlook(r.GetInt64(5), r.GetInt64(6), r.GetInt64(7), r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8));
        await r.NextResultAsync(ct);
        var byDay = new Dictionary<DateOnly, (long, long)>();
        while (await r.ReadAsync(ct))
            byDay[DateOnly.FromDateTime(r.GetDateTime(0))] = (r.GetInt64(1), r.GetInt64(2));
        var activity = Enumerable.Range(0, Days).Select(i => firstDay.AddDays(i))
            .Select(d => byDay.TryGetValue(d, out var v) ? new DayActivity(d, v.Item1, v.Item2) : new DayActivity(d, 0, 0)).ToList();
        return new DashboardFigures(operators, tokens, events, last24, failed24, activity, integrity.Latest(), outlook);
    }
}
