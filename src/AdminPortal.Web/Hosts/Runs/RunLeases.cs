using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Hosts;
using AdminPortal.Data.Jobs;
using AdminPortal.Web.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Hosts.Runs;

/// <summary>
/// A run is executed by the instance that started it, in memory; if that process dies (SIGKILL, a crash, the machine),
/// its rows would say "running" for ever. So the instance renews a lease on its live runs (<c>HeartbeatAt</c>, every quarter
/// of <see cref="HostsOptions.RunLeaseTimeout"/>), and every instance, at start-up and then periodically, marks the
/// unfinished runs whose lease ran out as <see cref="RunStatus.Interrupted"/> (the run and its unfinished hosts), each
/// with an <c>action.run.interrupted</c> event. A new run of the same action (a publish again) then starts as usual.
/// </summary>
public sealed class RunLeases(IDbContextFactory<PortalDbContext> dbs, AuditedWork work, RunMonitor monitor, IOptions<HostsOptions> options,
    TimeProvider time, ILogger<RunLeases> log) : BackgroundService
{
    public static string Instance => JobLeases.InstanceId;

    public const string Message =
        "Interrupted: the portal instance running this stopped before it finished (killed, crashed or cut off from the database). " +
        "What it did on the host is unknown: check the host, then run it again.";

    private TimeSpan Timeout => options.Value.RunLeaseTimeout; // at least 1 s: validated at start

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Timeout / 4, time);
        do
        {
            try
            {
                await RenewAsync(stoppingToken);
                await SweepAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LeaseCheckFailed(e, Timeout / 4);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task RenewAsync(CancellationToken ct)
    {
        var live = monitor.LiveIds;
        if (live.Count == 0) return;
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = time.GetUtcNow();
        await db.ActionRuns.Where(r => live.Contains(r.Id) && (r.Status == RunStatus.Queued || r.Status == RunStatus.Running))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.HeartbeatAt, now), ct);
    }

    /// <summary>Marks every unfinished run whose lease ran out (and that this instance is not running) as interrupted; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - Timeout;
        var live = monitor.LiveIds;
        await using var db = await dbs.CreateDbContextAsync(ct);
        var stale = await db.ActionRuns.AsNoTracking()
            .Where(r => (r.Status == RunStatus.Queued || r.Status == RunStatus.Running) && (r.HeartbeatAt ?? r.CreatedAt) < cutoff && !live.Contains(r.Id))
            .Select(r => r.Id).ToListAsync(ct);
        var marked = 0;
        foreach (var id in stale)
            if (await InterruptAsync(id, cutoff, ct)) marked++;
        return marked;
    }

    private Task<bool> InterruptAsync(Guid id, DateTimeOffset cutoff, CancellationToken ct) => work.RunAsync<bool>(async (_, db, c) =>
    {
        // Locked and checked again: another instance may have marked it, or its owner renewed the lease meanwhile.
        var run = await db.ActionRuns.FromSql($"""SELECT * FROM action_runs WHERE "Id" = {id} FOR UPDATE SKIP LOCKED""").FirstOrDefaultAsync(c);
        if (run is null || RunStatus.IsFinal(run.Status) || (run.HeartbeatAt ?? run.CreatedAt) >= cutoff) return (false, null);
        var now = time.GetUtcNow();
        var hosts = await db.RunHostResults.Where(h => h.RunId == id).ToListAsync(c);
        foreach (var h in hosts.Where(h => !RunStatus.IsFinal(h.Status)))
            (h.Status, h.Message, h.FinishedAt) = (RunStatus.Interrupted, Message, now);
        (run.Status, run.FinishedAt) = (RunStatus.Interrupted, now);
        log.LeaseLost(id, run.Action, run.Owner);
        return (true, new AuditEntry(AuditActor.System, "action.run.interrupted", $"run:{id}", new
        {
            action = run.Action, owner = run.Owner, lastHeartbeat = run.HeartbeatAt ?? run.CreatedAt, markedBy = Instance,
            hosts = hosts.Select(h => new { host = h.HostName, status = h.Status }),
            parameters = System.Text.Json.JsonSerializer.Deserialize<System.Text.Json.JsonElement>(run.ParametersJson) /* no pooled document left undisposed */,
        }, AuditOutcome.Failure));
    }, ct);
}

internal static partial class RunLeasesLog
{
    [LoggerMessage(LogLevel.Warning, "Could not renew or check the runs' leases; trying again in {Interval}")]
    public static partial void LeaseCheckFailed(this ILogger logger, Exception exception, TimeSpan interval);

    [LoggerMessage(LogLevel.Warning, "Run {RunId} ({Action}) of {Owner} lost its lease: marked interrupted")]
    public static partial void LeaseLost(this ILogger logger, Guid runId, string action, string? owner);
}
