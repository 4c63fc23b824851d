using AdminPortal.Data.Mail;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosts.Ssh;
using AdminPortal.Web.Remote;

namespace AdminPortal.Web.Mail.Backends;

/// <summary>A mail host as a backend sees it: its settings and where to reach it over SSH.</summary>
public sealed record MailHostTarget(MailHost Settings, SshTarget Ssh);

/// <summary>What a mailbox account is to create or change: address (lower case), display name, quota in MiB.</summary>
public sealed record MailboxSpec(string Address, string? DisplayName, int? QuotaMb);

/// <summary>An account as the host really has it.</summary>
public sealed record HostMailbox(string Address, string? DisplayName, bool Disabled, string? QuotaRule);

/// <summary>A change went through.</summary>
public sealed record Done;

/// <summary>
/// One way of keeping mailbox accounts on a host (a Dovecot passwd-file, Archiveopteryx): each runs its commands
/// as host scripts (<see cref="HostScriptRunner"/>) with every value a positional argument or on stdin. Create reports an existing address as
/// <see cref="MailboxAlreadyExists"/>.
/// </summary>
public interface IMailBackend
{
    string Name { get; }
    Task<Result<IReadOnlyList<HostMailbox>>> ListAsync(MailHostTarget host, CancellationToken ct);
    Task<Result<Done>> CreateAsync(MailHostTarget host, MailboxSpec spec, string password, CancellationToken ct);
    Task<Result<Done>> SetPasswordAsync(MailHostTarget host, string address, string password, CancellationToken ct);
    Task<Result<Done>> SetEnabledAsync(MailHostTarget host, string address, bool enabled, CancellationToken ct);
    Task<Result<Done>> DeleteAsync(MailHostTarget host, string address, CancellationToken ct);
}

/// <summary>How a mail backend reports a host script that did not succeed.</summary>
public static class MailScripts
{
    /// <summary>The connection's error (host key, unreachable), or the script's exit and the end of its stderr.</summary>
    public static PortalError Failure(SshTarget target, ScriptResult r) =>
        r.Outcome.Error ?? new MailHostFailed(target.Host,
            (r.Outcome.Message ?? r.Outcome.Status) + (r.Stderr.Length > 0 ? $": {InputText.Printable(r.Stderr, 300)}" : ""));
}
