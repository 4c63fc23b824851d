using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Onboarding;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosts.Actions;
using AdminPortal.Web.Hosts.Runs;
using AdminPortal.Web.Mail;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Onboarding;

/// <summary>A started (or retried) run; <see cref="MailboxPassword"/> is the mailbox's generated password, returned this once and never stored.</summary>
public sealed record OnboardingStarted(Guid Id, string? MailboxPassword = null);

public sealed record OnboardingStepView(int Order, string Kind, string? Host, string Status, string? Result, string? Reference,
    DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? EmailStatus);

public sealed record OnboardingView(Guid Id, string UserName, string? Email, string? DisplayName, string? Profile, string? Platform,
    string? UnixUser, string? MailAddress, string Status, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt,
    IReadOnlyList<OnboardingStepView> Steps);

/// <summary>
/// Starts onboarding runs (checked, stored and audited before any step runs), retries failed ones, reads them back. The
/// steps themselves run in the background (<see cref="OnboardingRunner"/>).
/// </summary>
public sealed class OnboardingService(AuditedWork work, IDbContextFactory<PortalDbContext> dbs, ActionCatalog catalog, OnboardingRunner runner,
    TimeProvider time)
{
    public async Task<Result<OnboardingStarted>> StartAsync(OnboardingRequest r, AuditActor actor, CancellationToken ct)
    {
        if (OnboardingInput.Check(r, catalog) is { } bad) return bad;
        if (r.Hosts is { Count: > 0 } && !Permissions.Allows(Permissions.ActionsRun, actor.Role))
            return new Forbidden($"Shell accounts need the permission {Permissions.ActionsRun}.");
        var id = Guid.NewGuid();
        var password = r.MailAddress is null ? null : MailboxService.Generate();
        var started = await work.RunAsync<Result<OnboardingStarted>>(async (_, db, c) =>
        {
            if (await OnboardingInput.CheckStoredAsync(db, r, c) is { } refused) return (refused, null);
            var steps = new List<OnboardingStep> { Step(OnboardingStepKind.Certificate) };
            if (r.MailAddress is not null) steps.Add(Step(OnboardingStepKind.Mailbox, r.MailHost));
            foreach (var host in r.Hosts ?? []) steps.Add(Step(OnboardingStepKind.ShellAccount, host));
            if (r.Profile is not null) steps.Add(Step(OnboardingStepKind.LinkEmail));
            for (var i = 0; i < steps.Count; i++) steps[i].Order = i + 1;
            db.OnboardingRuns.Add(new OnboardingRun
            {
                Id = id, UserName = r.UserName!, Email = r.Email, DisplayName = r.DisplayName, KeyAlgorithm = r.KeyAlgorithm, Profile = r.Profile,
                Platform = r.Platform, MailHost = r.MailHost, MailAddress = r.MailAddress is null ? null : MailInput.Normal(r.MailAddress), UnixUser = r.UnixUser, PublicKey = r.Hosts is { Count: > 0 } ? r.PublicKey?.Trim() : null,
                Status = OnboardingStatus.Running, CreatedBy = actor.Name, CreatedAt = time.GetUtcNow(), Steps = steps,
            });
            return (new OnboardingStarted(id, password), new AuditEntry(actor, "onboarding.started", $"vpn-user:{r.UserName}", new
            {
                runId = id, email = r.Email, mailHost = r.MailHost, mailAddress = r.MailAddress, profile = r.Profile, platform = r.Platform, hosts = r.Hosts, unixUser = r.UnixUser,
                steps = steps.Select(s => s.Host is null ? s.Kind : $"{s.Kind}:{s.Host}"),
            }));
        }, ct);
        if (started.Ok) runner.Start(id, actor, password);
        return started;
    }

    /// <summary>Runs the failed and pending steps again; steps that are done are left alone (409 unless the run failed).</summary>
    public async Task<Result<OnboardingStarted>> RetryAsync(Guid id, AuditActor actor, CancellationToken ct)
    {
        var claimed = await work.RunAsync<Result<OnboardingStarted>>(async (_, db, c) =>
        {
            var rows = await db.OnboardingRuns.FromSql($"""SELECT * FROM onboarding_runs WHERE "Id" = {id} FOR UPDATE""").ToListAsync(c);
            if (rows is not [var run]) return (new NotFound("Onboarding run", id.ToString()), null);
            if (run.Status != OnboardingStatus.Failed && !(run.Status == OnboardingStatus.Running && runner.IsStale(run.Id)))
                return (new Conflict($"Only a failed onboarding run can be retried; this one is {run.Status}."), null);
            var steps = await db.OnboardingSteps.Where(s => s.RunId == id && s.Status != OnboardingStatus.Done).ToListAsync(c);
            foreach (var s in steps) s.Status = OnboardingStatus.Pending;
            (run.Status, run.FinishedAt) = (OnboardingStatus.Running, null);
            // The first password was shown once and not kept: a mailbox step run again gets a new one, shown with this answer.
            var password = steps.Any(s => s.Kind == OnboardingStepKind.Mailbox) ? MailboxService.Generate() : null;
            return (new OnboardingStarted(id, password), new AuditEntry(actor, "onboarding.retried", $"vpn-user:{run.UserName}",
                new { runId = id, steps = steps.OrderBy(s => s.Order).Select(s => s.Host is null ? s.Kind : $"{s.Kind}:{s.Host}") }));
        }, ct);
        if (claimed.Ok) runner.Start(id, actor, claimed.Value!.MailboxPassword);
        return claimed;
    }

    public async Task<OnboardingView?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var run = await db.OnboardingRuns.AsNoTracking().Include(r => r.Steps).FirstOrDefaultAsync(r => r.Id == id, ct);
        if (run is null) return null;
        var prefix = OnboardingRunner.LinkDedupeKey(id) + ":";
        var email = await db.OutboxMessages.AsNoTracking().Where(m => m.DedupeKey != null && m.DedupeKey.StartsWith(prefix))
            .Select(m => m.Status).FirstOrDefaultAsync(ct);
        return View(run, email);
    }

    public async Task<IReadOnlyList<OnboardingView>> ListAsync(int limit, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var runs = await db.OnboardingRuns.AsNoTracking().Include(r => r.Steps).OrderByDescending(r => r.CreatedAt).Take(Math.Clamp(limit, 1, 200))
            .ToListAsync(ct);
        return runs.Select(r => View(r, null)).ToList();
    }

    private static OnboardingStep Step(string kind, string? host = null) => new() { Id = Guid.NewGuid(), Kind = kind, Host = host };

    private static OnboardingView View(OnboardingRun r, string? emailStatus) => new(r.Id, r.UserName, r.Email, r.DisplayName, r.Profile, r.Platform,
        r.UnixUser, r.MailAddress, r.Status, r.CreatedBy, r.CreatedAt, r.FinishedAt,
        r.Steps.OrderBy(s => s.Order).Select(s => new OnboardingStepView(s.Order, s.Kind, s.Host, s.Status, s.Result, s.Reference, s.StartedAt,
            s.FinishedAt, s.Kind == OnboardingStepKind.LinkEmail ? emailStatus : null)).ToList());
}
