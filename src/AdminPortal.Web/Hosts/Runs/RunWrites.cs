using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Hosts;
using AdminPortal.Web.Audit;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Hosts.Runs;

/// <summary>
/// What the instance executing a run writes to its rows as it goes, each write applied only while the run is still
/// unfinished and this instance's (<see cref="RunLeases.Instance"/>). Another instance marks a run interrupted once its
/// lease has run out (<see cref="RunLeases"/>); if the owner was only frozen or cut off from the database and comes back,
/// what it writes then must not overwrite that: the run stays interrupted, and its late outcome is audited as
/// <see cref="FinishedAfterInterrupt"/>, with a warning in the log.
/// </summary>
public sealed class RunWrites(IDbContextFactory<PortalDbContext> dbs, AuditedWork work, TimeProvider time, ILogger<RunWrites> log)
{
    public const string FinishedAfterInterrupt = "action.run.finished_after_interrupt";

    /// <summary>What a host's result is when the run was no longer this instance's to start it there.</summary>
    public const string NotStarted = "Not started: another portal instance had marked the run interrupted (this instance's lease on it had run out).";

    /// <summary>Queued to running; false when the run is no longer queued and this instance's.</summary>
    public async Task<bool> StartRunAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.ActionRuns.Where(r => r.Id == id && r.Status == RunStatus.Queued && r.Owner == RunLeases.Instance)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Running), ct) == 1;
    }

    /// <summary>
    /// Renews the run's lease if it is still running and this instance's, and says whether it was: a cheap check before a step
    /// that must not run for a run another instance has marked interrupted (a publish's install).
    /// </summary>
    public async Task<bool> StillOursAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.ActionRuns.Where(r => r.Id == id && r.Status == RunStatus.Running && r.Owner == RunLeases.Instance)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.HeartbeatAt, time.GetUtcNow()), ct) == 1;
    }

    /// <summary>Marks a host running; false (nothing written) when the run is no longer running and this instance's: do not start it then.</summary>
    public Task<bool> StartHostAsync(Guid runId, string host, CancellationToken ct) =>
        SaveHostAsync(runId, host, r => (r.Status, r.StartedAt) = (RunStatus.Running, time.GetUtcNow()), ct);

    /// <summary>Stores a host's outcome and output; false (nothing written) when the run is no longer running and this instance's.</summary>
    public Task<bool> FinishHostAsync(Guid runId, string host, string status, int? exitCode, string? message, OutputCapture output, CancellationToken ct) =>
        SaveHostAsync(runId, host, r =>
        {
            r.Status = status;
            r.ExitCode = exitCode;
            r.Message = message is { Length: > 2048 } m ? m[..2048] : message;
            r.Output = output.Stored;
            r.OutputBytes = output.TotalBytes;
            r.Truncated = output.Truncated;
            r.OutputSha256 = output.Sha256;
            r.FinishedAt = time.GetUtcNow();
        }, ct);

    private async Task<bool> SaveHostAsync(Guid runId, string host, Action<RunHostResult> change, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Checked under a share lock on the run's row: the sweep locks it FOR UPDATE before it marks the run and its hosts,
        // so it cannot interrupt the run between this check and the host's write.
        var run = await db.ActionRuns.FromSql($"""SELECT * FROM action_runs WHERE "Id" = {runId} FOR SHARE""").AsNoTracking().FirstOrDefaultAsync(ct);
        if (run is not { Status: RunStatus.Running } || run.Owner != RunLeases.Instance) return false;
        var row = await db.RunHostResults.FirstAsync(r => r.RunId == runId && r.HostName == host, ct);
        change(row);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Ends the run with <paramref name="status"/>, <paramref name="finished"/> as its event and <paramref name="alsoWhenFinished"/>'s
    /// changes (given the time it ended), in one transaction, if the run is still running and this instance's. If not (another
    /// instance marked it interrupted meanwhile), nothing of it changes: <see cref="FinishedAfterInterrupt"/> records what this
    /// instance saw, <paramref name="finished"/>'s details included, and a warning is logged. Returns whether the run was ended.
    /// </summary>
    public Task<bool> FinishAsync(Guid id, string status, AuditEntry finished, Func<PortalDbContext, DateTimeOffset, CancellationToken, Task>? alsoWhenFinished,
        CancellationToken ct) => work.RunAsync<bool>(async (_, db, c) =>
    {
        var now = time.GetUtcNow();
        // One conditional UPDATE: if a sweep holds the row it waits, then checks the status that sweep left.
        var ended = await db.ActionRuns.Where(r => r.Id == id && r.Status == RunStatus.Running && r.Owner == RunLeases.Instance)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, status).SetProperty(r => r.FinishedAt, now), c) == 1;
        if (ended)
        {
            if (alsoWhenFinished is not null) await alsoWhenFinished(db, now, c);
            return (true, finished);
        }
        var run = await db.ActionRuns.AsNoTracking().FirstAsync(r => r.Id == id, c);
        log.FinishedAfterInterrupt(id, run.Action, status, run.Status, run.Owner, RunLeases.Instance, FinishedAfterInterrupt);
        return (false, new AuditEntry(finished.Actor, FinishedAfterInterrupt, $"run:{id}", new
        {
            action = run.Action, status, storedStatus = run.Status, storedFinishedAt = run.FinishedAt, owner = run.Owner, finishedBy = RunLeases.Instance,
            @event = finished.Action, target = finished.Target, details = finished.Details,
        }, AuditOutcome.Failure));
    }, ct);
}

internal static partial class RunWritesLog
{
    [LoggerMessage(LogLevel.Warning, "Run {RunId} ({Action}) ended '{Status}' here after it had been marked '{Stored}' (owner {Owner}, this instance {Instance}); " +
        "left as it is, the outcome is audited as {Event}")]
    public static partial void FinishedAfterInterrupt(this ILogger logger, Guid runId, string action, string status, string stored, string? owner,
        string instance, string @event);
}
