using AdminPortal.Data.Mail;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosts.Ssh;

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
/// through <see cref="RemoteShell"/> with every value quoted or on stdin. Create reports an existing address as
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
