using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Hosts;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosts.Ssh;
using AdminPortal.Web.Notifications;
using AdminPortal.Web.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Hosts;

public sealed record AddHostRequest(string? Name, string? Address, int? Port, string? User, string? Credential,
    IReadOnlyList<string>? Groups = null, IReadOnlyList<string>? AllowedServices = null, string? ExpectedFingerprint = null);

/// <summary>Managed hosts and the trust in their keys: a new host's key is fetched and shown, and used only once approved.</summary>
public sealed class HostService(AuditedWork work, IDbContextFactory<PortalDbContext> dbs, SshPool pool, NotificationService notifications,
    ApiTokenInvalidation invalidation, IOptions<HostsOptions> options, TimeProvider time)
{
    public async Task<Result<HostView>> AddAsync(AddHostRequest r, AuditActor actor, CancellationToken ct)
    {
        if ((HostInput.Name("name", r.Name) ?? HostInput.Address(r.Address) ?? HostInput.Port(r.Port) ?? HostInput.User(r.User)
             ?? HostInput.Name("credential", r.Credential) ?? HostInput.Names("groups", r.Groups) ?? HostInput.Units(r.AllowedServices)
             ?? HostInput.Fingerprint("expectedFingerprint", r.ExpectedFingerprint)) is { } bad) return bad;
        var port = r.Port ?? 22;
        var scan = await HostKeyCheck.ScanAsync(r.Name!, r.Address!, port, options.Value.ConnectTimeout, ct);
        if (r.ExpectedFingerprint is not null && scan.Ok && scan.Value!.Fingerprint != r.ExpectedFingerprint)
            return new HostKeyMismatch(r.Name!, r.ExpectedFingerprint, scan.Value.Fingerprint);

        return await work.RunAsync<Result<HostView>>(async (_, db, c) =>
        {
            var credential = await db.SshCredentials.FirstOrDefaultAsync(x => x.Name == r.Credential, c);
            if (credential is null) return (new NotFound("Credential", r.Credential!), null);
            if (await db.Hosts.AnyAsync(h => h.Name == r.Name, c)) return (new Conflict($"A host named '{r.Name}' exists already."), null);
            var host = db.Hosts.Add(new ManagedHost
            {
                Id = Guid.NewGuid(), Name = r.Name!, Address = r.Address!, Port = port, User = r.User!, CredentialId = credential.Id,
                Groups = r.Groups?.Distinct().ToList() ?? [], AllowedServices = r.AllowedServices?.Distinct().ToList() ?? [],
                PresentedFingerprint = scan.Value?.Fingerprint, HostKeyAlgorithm = scan.Value?.Algorithm,
                TrustedFingerprint = r.ExpectedFingerprint, LastError = scan.Error?.Detail, CreatedAt = time.GetUtcNow(),
            }).Entity;
            host.Credential = credential;
            return (HostView.Of(host, null), new AuditEntry(actor, "host.added", $"host:{host.Name}", new
            {
                address = host.Address, port, user = host.User, credential = credential.Name, groups = host.Groups,
                presentedFingerprint = host.PresentedFingerprint, trustedInAdvance = r.ExpectedFingerprint is not null,
            }));
        }, ct);
    }

    /// <summary>
    /// Approves a fingerprint (first use, or replacing a changed key): an explicit, audited decision, and only of the key
    /// the host presents now (read again here); a key it never presented can be approved only in advance, by
    /// <see cref="AddAsync"/>. Once committed, every instance closes its connections opened under another key before
    /// this returns.
    /// </summary>
    public async Task<Result<HostView>> TrustAsync(string name, string? fingerprint, AuditActor actor, CancellationToken ct)
    {
        if (fingerprint is null) return new InvalidInput("fingerprint", "fingerprint is required.");
        if (HostInput.Fingerprint("fingerprint", fingerprint) is { } bad) return bad;
        var presented = await PresentedKeyAsync(name, ct);
        if (!presented.Ok)
            return presented.Error is SshFailure failure ? HostKeyNotPresented.Unreadable(name, fingerprint, failure.Message) : presented.Error!;
        if (presented.Value!.Fingerprint != fingerprint) return HostKeyNotPresented.Other(name, fingerprint, presented.Value.Fingerprint);
        var result = await work.RunAsync<Result<HostView>>(async (_, db, c) =>
        {
            var host = await db.Hosts.Include(h => h.Credential).FirstOrDefaultAsync(h => h.Name == name, c);
            if (host is null) return (new NotFound("Host", name), null);
            var previous = host.TrustedFingerprint;
            host.TrustedFingerprint = fingerprint;
            host.PresentedFingerprint = presented.Value.Fingerprint;
            host.HostKeyAlgorithm = presented.Value.Algorithm;
            host.MismatchFingerprint = null;
            host.MismatchAt = null;
            await ApiTokenInvalidation.NotifyAsync(db, SshPool.ChannelName, SshPool.Payload(host.Name, fingerprint), c);
            return (HostView.Of(host, pool.StateOf(host.Name)), new AuditEntry(actor, previous is null ? "host.key.trusted" : "host.key.replaced",
                $"host:{host.Name}", new { fingerprint, previousFingerprint = previous, presentedFingerprint = host.PresentedFingerprint }));
        }, ct);
        if (!result.Ok) return result;
        await pool.KeyApprovedAsync(name, fingerprint); // here at once, even if this instance's listener is away
        await invalidation.ConfirmAsync(ct);
        return result;
    }

    /// <summary>Reads the key the host presents now (a key exchange without logging in).</summary>
    public async Task<Result<PresentedKey>> PresentedKeyAsync(string name, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var host = await db.Hosts.AsNoTracking().FirstOrDefaultAsync(h => h.Name == name, ct);
        if (host is null) return new NotFound("Host", name);
        return await HostKeyCheck.ScanAsync(host.Name, host.Address, host.Port, options.Value.ConnectTimeout, ct);
    }

    /// <summary>
    /// Records a refused connection whose host key did not match: shown on the dashboard, audited, and an alert queued to the
    /// Admins once per host and pair of keys.
    /// </summary>
    public Task RecordMismatchAsync(string name, HostKeyMismatch mismatch, AuditActor actor, CancellationToken ct) =>
        work.RunAsync<bool>(async (_, db, c) =>
        {
            var host = await db.Hosts.FirstAsync(h => h.Name == name, c);
            host.MismatchFingerprint = mismatch.Actual;
            host.MismatchAt = time.GetUtcNow();
            host.LastError = mismatch.Detail;
            await notifications.QueueHostKeyMismatchAsync(db, name, mismatch.Expected, mismatch.Actual, host.MismatchAt.Value, c);
            return (true, new AuditEntry(actor, "host.key.mismatch", $"host:{name}",
                new { expectedFingerprint = mismatch.Expected, presentedFingerprint = mismatch.Actual }, AuditOutcome.Failure));
        }, ct);

    /// <summary>Notes the last contact (or the last connection error) on the host.</summary>
    public async Task NoteContactAsync(string name, string? error, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (error is null)
            await db.Hosts.Where(h => h.Name == name).ExecuteUpdateAsync(s => s.SetProperty(h => h.LastContactAt, time.GetUtcNow()).SetProperty(h => h.LastError, (string?)null), ct);
        else
            await db.Hosts.Where(h => h.Name == name).ExecuteUpdateAsync(s => s.SetProperty(h => h.LastError, error.Length > 1024 ? error[..1024] : error), ct);
    }

    public async Task<IReadOnlyList<HostView>> ListAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var hosts = await db.Hosts.AsNoTracking().Include(h => h.Credential).OrderBy(h => h.Name).ToListAsync(ct);
        return hosts.Select(h => HostView.Of(h, pool.StateOf(h.Name))).ToList();
    }

    public async Task<HostView?> GetAsync(string name, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var host = await db.Hosts.AsNoTracking().Include(h => h.Credential).FirstOrDefaultAsync(h => h.Name == name, ct);
        return host is null ? null : HostView.Of(host, pool.StateOf(host.Name));
    }
}

public sealed record HostView(string Name, string Address, int Port, string User, string Credential, IReadOnlyList<string> Groups,
    IReadOnlyList<string> AllowedServices, string? PresentedFingerprint, string? HostKeyAlgorithm, string? TrustedFingerprint,
    string? MismatchFingerprint, DateTimeOffset? MismatchAt, DateTimeOffset? LastContactAt, string? LastError, PoolState? Pool)
{
    public string Trust => MismatchFingerprint is not null ? "mismatch" : TrustedFingerprint is null ? "untrusted" : "trusted";

    public static HostView Of(ManagedHost h, PoolState? pool) => new(h.Name, h.Address, h.Port, h.User, h.Credential?.Name ?? "",
        h.Groups, h.AllowedServices, h.PresentedFingerprint, h.HostKeyAlgorithm, h.TrustedFingerprint, h.MismatchFingerprint, h.MismatchAt,
        h.LastContactAt, h.LastError, pool);
}
