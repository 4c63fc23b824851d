using System.Text.Json;
using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Hosts;
using AdminPortal.Data.Onboarding;
using AdminPortal.Data.Pki;
using AdminPortal.Web.Bundles;
using AdminPortal.Web.Hosts.Runs;
using AdminPortal.Web.Mail;
using AdminPortal.Web.Notifications;
using AdminPortal.Web.Pki;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Onboarding;

/// <summary>
/// The steps, each through the feature that owns it. None is ever done twice: the certificate and the link record their
/// serial or link id on the step in the very transaction that creates them, and a shell account step remembers its action
/// run and is satisfied by it once that run succeeded.
/// </summary>
public sealed class OnboardingSteps(IDbContextFactory<PortalDbContext> dbs, VpnUserService users, MailboxService mailboxes, DownloadLinks links,
    RunService runs, RunQueries runQueries, NotificationService notifications)
{
    private static readonly TimeSpan RunWait = TimeSpan.FromMinutes(3);

    public Task<StepOutcome> RunAsync(OnboardingRun run, OnboardingStep step, AuditActor actor, string? mailboxPassword, CancellationToken ct) => step.Kind switch
    {
        OnboardingStepKind.Certificate => CertificateAsync(run, step, actor, ct),
        OnboardingStepKind.Mailbox => MailboxAsync(run, step, actor, mailboxPassword, ct),
        OnboardingStepKind.ShellAccount => ShellAccountAsync(run, step, actor, ct),
        OnboardingStepKind.LinkEmail => LinkEmailAsync(run, step, actor, ct),
        _ => Task.FromResult(new StepOutcome(false, $"unknown step {step.Kind}")),
    };

    private async Task<string?> ReferenceAsync(Guid stepId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.OnboardingSteps.Where(s => s.Id == stepId).Select(s => s.Reference).SingleAsync(ct);
    }

    private static Task<int> SetReferenceAsync(PortalDbContext db, Guid stepId, string reference, CancellationToken ct) =>
        db.OnboardingSteps.Where(s => s.Id == stepId).ExecuteUpdateAsync(s => s.SetProperty(x => x.Reference, reference), ct);

    private async Task<StepOutcome> CertificateAsync(OnboardingRun run, OnboardingStep step, AuditActor actor, CancellationToken ct)
    {
        if (await ReferenceAsync(step.Id, ct) is { } serial)
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var cert = await db.Certificates.AsNoTracking().FirstOrDefaultAsync(c => c.Serial == serial, ct);
            return cert?.Status == CertificateStatus.Active
                ? new StepOutcome(true, $"issued serial {serial}, valid until {cert.NotAfter:u}", serial)
                : new StepOutcome(false, $"the certificate {serial} this run issued is no longer active");
        }
        var issued = await users.IssueAsync(new IssueUserRequest(run.UserName, run.Email, null, run.KeyAlgorithm), actor, ct,
            (db, cert, c) => SetReferenceAsync(db, step.Id, cert.Serial, c));
        return issued.Ok
            ? new StepOutcome(true, $"issued serial {issued.Value!.Serial}, valid until {issued.Value.NotAfter:u}", issued.Value.Serial)
            : new StepOutcome(false, issued.Error!.Detail);
    }

    /// <summary>
    /// Creates the mailbox with the password generated when the run started (or was retried). A mailbox that exists with the
    /// same settings was made by an earlier attempt of this run (the address was free when the run started).
    /// </summary>
    private async Task<StepOutcome> MailboxAsync(OnboardingRun run, OnboardingStep step, AuditActor actor, string? password, CancellationToken ct)
    {
        if (await ReferenceAsync(step.Id, ct) is { } address) return new StepOutcome(true, $"mailbox {address} created on {run.MailHost}", address);
        if (password is null) return new StepOutcome(false, "the generated password is no longer known (the portal restarted): retry to set a new one");
        var created = await mailboxes.CreateAsync(new MailboxRequest(run.MailHost, run.MailAddress, run.DisplayName, password), actor, ct);
        if (created.Error is MailboxAlreadyExists { SameData: true })
        {
            // An earlier attempt made it but its end was not recorded: give it the password this attempt showed.
            var reset = await mailboxes.ResetPasswordAsync(run.MailAddress!, password, actor, ct);
            return reset.Ok
                ? new StepOutcome(true, $"mailbox {run.MailAddress} on {run.MailHost} (made by an earlier attempt; password set again)", run.MailAddress)
                : new StepOutcome(false, reset.Error!.Detail);
        }
        return created.Ok
            ? new StepOutcome(true, $"mailbox {created.Value!.Address} created on {created.Value.Host}", created.Value.Address)
            : new StepOutcome(false, created.Error!.Detail);
    }

    private async Task<StepOutcome> ShellAccountAsync(OnboardingRun run, OnboardingStep step, AuditActor actor, CancellationToken ct)
    {
        if (await ReferenceAsync(step.Id, ct) is { } previous && Guid.TryParse(previous, out var previousRun)
            && await WaitAsync(previousRun, step.Host!, ct) is { Ok: true } done)
            return done;
        var parameters = new Dictionary<string, JsonElement>
        {
            ["username"] = JsonSerializer.SerializeToElement(run.UnixUser), ["publicKey"] = JsonSerializer.SerializeToElement(run.PublicKey),
        };
        var started = await runs.StartAsync(new RunRequest("account.create", [step.Host!], null, parameters), actor, ct);
        if (!started.Ok) return new StepOutcome(false, started.Error!.Detail);
        var id = started.Value!.Id;
        await using (var db = await dbs.CreateDbContextAsync(ct)) await SetReferenceAsync(db, step.Id, id.ToString(), ct);
        return await WaitAsync(id, step.Host!, ct);
    }

    /// <summary>Waits (bounded) for the action run to end and reads its outcome on the host.</summary>
    private async Task<StepOutcome> WaitAsync(Guid runId, string host, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + RunWait;
        while (true)
        {
            var run = await runQueries.GetAsync(runId, withOutput: false, ct);
            if (run is null) return new StepOutcome(false, $"action run {runId} not found");
            if (RunStatus.IsFinal(run.Status))
            {
                var h = run.Hosts.FirstOrDefault(x => x.Host == host);
                return run.Status == RunStatus.Succeeded
                    ? new StepOutcome(true, $"account created on {host} (action run {runId})", runId.ToString())
                    : new StepOutcome(false, $"{h?.Status ?? run.Status} on {host}: {h?.Message ?? "no result"} (action run {runId})", runId.ToString());
            }
            if (DateTimeOffset.UtcNow > deadline) return new StepOutcome(false, $"action run {runId} did not finish within {RunWait.TotalMinutes} minutes", runId.ToString());
            await Task.Delay(200, ct);
        }
    }

    private async Task<StepOutcome> LinkEmailAsync(OnboardingRun run, OnboardingStep step, AuditActor actor, CancellationToken ct)
    {
        if (await ReferenceAsync(step.Id, ct) is { } linkId)
            return new StepOutcome(true, $"link {linkId} emailed to {run.Email}", linkId);
        var created = await links.CreateAsync(run.UserName, new CreateLinkRequest(run.Profile, run.Platform, null), actor, ct,
            async (db, link, url, c) =>
            {
                link.EmailedTo = run.Email;
                var values = new Dictionary<string, string>
                {
                    ["user"] = run.UserName, ["displayName"] = run.DisplayName ?? run.UserName, ["profile"] = run.Profile!,
                    ["platform"] = PlatformBundles.Label(run.Platform!), ["link"] = url, ["expiresAt"] = NotificationService.When(link.ExpiresAt),
                };
                await notifications.QueueAsync(db, NotificationKinds.OnboardingLink, [run.Email!], values, OnboardingRunner.LinkDedupeKey(run.Id),
                    new NotificationAbout($"vpn-user:{run.UserName}", CreatedBy: actor.Name), c);
                await SetReferenceAsync(db, step.Id, link.Id.ToString(), c);
            });
        return created.Ok
            ? new StepOutcome(true, $"link {created.Value!.Id} emailed to {run.Email}, valid until {created.Value.ExpiresAt:u}", created.Value.Id.ToString())
            : new StepOutcome(false, created.Error!.Detail);
    }
}
