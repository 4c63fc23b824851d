using System.Collections.Concurrent;
using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Onboarding;
using AdminPortal.Web.Audit;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Onboarding;

/// <summary>What a step did: <see cref="Reference"/> names what it made, so that a retry recognises it.</summary>
public sealed record StepOutcome(bool Ok, string Result, string? Reference = null);

/// <summary>
/// Runs a run's steps in order in the background, from the first one not done; a failed step stops the run. Each step's
/// end is stored and audited (<c>onboarding.step.finished</c>), and so is the run's (<c>onboarding.finished</c>).
/// </summary>
public sealed class OnboardingRunner(IDbContextFactory<PortalDbContext> dbs, AuditedWork work, OnboardingSteps steps, TimeProvider time,
    ILogger<OnboardingRunner> log, IHostApplicationLifetime lifetime)
{
    private readonly ConcurrentDictionary<Guid, bool> _live = new();

    /// <summary>The dedupe key of the run's link email (the outbox appends the recipient).</summary>
    public static string LinkDedupeKey(Guid runId) => $"onboarding:{runId}:link";

    /// <summary>A run stored as running that this process is not running (its portal stopped mid-run).</summary>
    public bool IsStale(Guid id) => !_live.ContainsKey(id);

    /// <summary>Runs the steps not done yet; <paramref name="mailboxPassword"/> lives only in memory, for the mailbox step.</summary>
    public void Start(Guid id, AuditActor actor, string? mailboxPassword)
    {
        _live[id] = true;
        _ = Task.Run(async () =>
        {
            try
            {
                await ExecuteAsync(id, actor, mailboxPassword, lifetime.ApplicationStopping);
            }
            catch (Exception e)
            {
                log.RunFailed(e, id);
            }
            finally
            {
                _live.TryRemove(id, out _);
            }
        });
    }

    private async Task ExecuteAsync(Guid id, AuditActor actor, string? mailboxPassword, CancellationToken ct)
    {
        OnboardingRun run;
        await using (var db = await dbs.CreateDbContextAsync(ct))
            run = await db.OnboardingRuns.AsNoTracking().Include(r => r.Steps).SingleAsync(r => r.Id == id, ct);
        var ok = true;
        foreach (var step in run.Steps.OrderBy(s => s.Order).Where(s => s.Status != OnboardingStatus.Done))
        {
            await UpdateStepAsync(step.Id, OnboardingStatus.Running, ct);
            StepOutcome outcome;
            try
            {
                outcome = await steps.RunAsync(run, step, actor, mailboxPassword, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                log.StepFailed(e, step.Kind, id);
                outcome = new StepOutcome(false, $"internal error: {e.GetType().Name}");
            }
            await FinishStepAsync(run, step, outcome, actor);
            if (!(ok = outcome.Ok)) break;
        }
        await work.RunAsync<bool>(async (_, db, c) =>
        {
            var r = await db.OnboardingRuns.SingleAsync(x => x.Id == id, c);
            (r.Status, r.FinishedAt) = (ok ? OnboardingStatus.Done : OnboardingStatus.Failed, time.GetUtcNow());
            return (true, new AuditEntry(actor, "onboarding.finished", $"vpn-user:{run.UserName}", new { runId = id, status = r.Status },
                ok ? AuditOutcome.Success : AuditOutcome.Failure));
        }, CancellationToken.None);
    }

    private async Task UpdateStepAsync(Guid stepId, string status, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await db.OnboardingSteps.Where(s => s.Id == stepId).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Status, status).SetProperty(x => x.StartedAt, time.GetUtcNow()).SetProperty(x => x.FinishedAt, (DateTimeOffset?)null), ct);
    }

    private Task<bool> FinishStepAsync(OnboardingRun run, OnboardingStep step, StepOutcome outcome, AuditActor actor) =>
        work.RunAsync<bool>(async (_, db, c) =>
        {
            var s = await db.OnboardingSteps.SingleAsync(x => x.Id == step.Id, c);
            s.Status = outcome.Ok ? OnboardingStatus.Done : OnboardingStatus.Failed;
            s.Result = outcome.Result.Length > 2048 ? outcome.Result[..2048] : outcome.Result;
            s.Reference = outcome.Reference ?? s.Reference;
            s.FinishedAt = time.GetUtcNow();
            return (true, new AuditEntry(actor, "onboarding.step.finished", $"vpn-user:{run.UserName}",
                new { runId = run.Id, step = s.Kind, host = s.Host, status = s.Status, result = s.Result, reference = s.Reference },
                outcome.Ok ? AuditOutcome.Success : AuditOutcome.Failure));
        }, CancellationToken.None);
}

internal static partial class OnboardingRunnerLog
{
    [LoggerMessage(LogLevel.Error, "Onboarding run {RunId} failed")]
    public static partial void RunFailed(this ILogger logger, Exception exception, Guid runId);

    [LoggerMessage(LogLevel.Error, "Onboarding step {Kind} of run {RunId} failed")]
    public static partial void StepFailed(this ILogger logger, Exception exception, string kind, Guid runId);
}
