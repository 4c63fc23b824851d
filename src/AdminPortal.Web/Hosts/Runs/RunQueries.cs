using System.Text.Json;
using AdminPortal.Data;
using AdminPortal.Data.Hosts;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Hosts.Runs;

public sealed record RunHostView(string Host, string Status, int? ExitCode, string? Message, string Output, long OutputBytes, bool Truncated,
    string? OutputSha256, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

public sealed record RunView(Guid Id, string Action, JsonElement Parameters, string? Group, string Status, string RequestedBy,
    DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, IReadOnlyList<RunHostView> Hosts);

public sealed record RunSummary(Guid Id, string Action, string Status, string RequestedBy, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, int Hosts);

/// <summary>Reads runs back: one with every host's stored output, or the history with filters.</summary>
public sealed class RunQueries(IDbContextFactory<PortalDbContext> dbs)
{
    public async Task<RunView?> GetAsync(Guid id, bool withOutput, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var run = await db.ActionRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
        if (run is null) return null;
        var hosts = await db.RunHostResults.AsNoTracking().Where(h => h.RunId == id).OrderBy(h => h.HostName)
            .Select(h => new RunHostView(h.HostName, h.Status, h.ExitCode, h.Message, withOutput ? h.Output : "", h.OutputBytes, h.Truncated,
                h.OutputSha256, h.StartedAt, h.FinishedAt))
            .ToListAsync(ct);
        return new RunView(run.Id, run.Action, JsonDocument.Parse(run.ParametersJson).RootElement, run.TargetGroup, run.Status, run.RequestedBy,
            run.CreatedAt, run.FinishedAt, hosts);
    }

    public async Task<IReadOnlyList<RunSummary>> ListAsync(string? action, string? host, string? status, int limit, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        IQueryable<ActionRun> q = db.ActionRuns.AsNoTracking();
        if (!string.IsNullOrEmpty(action)) q = q.Where(r => r.Action == action);
        if (!string.IsNullOrEmpty(status)) q = q.Where(r => r.Status == status);
        if (!string.IsNullOrEmpty(host)) q = q.Where(r => r.Hosts.Any(h => h.HostName == host));
        return await q.OrderByDescending(r => r.CreatedAt).Take(Math.Clamp(limit, 1, 500))
            .Select(r => new RunSummary(r.Id, r.Action, r.Status, r.RequestedBy, r.CreatedAt, r.FinishedAt, r.Hosts.Count))
            .ToListAsync(ct);
    }
}
