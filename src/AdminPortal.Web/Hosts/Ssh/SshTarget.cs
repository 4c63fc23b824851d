namespace AdminPortal.Web.Hosts.Ssh;

/// <summary>Where and as whom to connect, and the host key fingerprint (<c>SHA256:…</c>) the host must present.</summary>
public sealed record SshTarget(string Host, string Address, int Port, string User, Guid CredentialId, string TrustedFingerprint)
{
    /// <summary>The target of a managed host, or null while its host key is not approved.</summary>
    public static SshTarget? Of(AdminPortal.Data.Hosts.ManagedHost host) => host.TrustedFingerprint is null ? null
        : new SshTarget(host.Name, host.Address, host.Port, host.User, host.CredentialId, host.TrustedFingerprint);

    /// <summary>A pooled connection is shared by targets of one endpoint, login and credential, under one approved host key.</summary>
    internal PoolKey Key => new(new PoolEndpoint(Address.ToLowerInvariant(), Port, User, CredentialId), TrustedFingerprint);

    /// <summary>Public-key authentication as <see cref="User"/> with the credential's key.</summary>
    public Renci.SshNet.ConnectionInfo ConnectionInfo(Renci.SshNet.PrivateKeyFile key, TimeSpan timeout) =>
        new(Address, Port, User, new Renci.SshNet.PrivateKeyAuthenticationMethod(User, key)) { Timeout = timeout };
}

/// <summary>Where and as whom a pooled connection logs in.</summary>
internal readonly record struct PoolEndpoint(string Address, int Port, string User, Guid CredentialId);

/// <summary>A pooled connection's identity: its endpoint and the host key fingerprint it was (or will be) opened under.</summary>
internal readonly record struct PoolKey(PoolEndpoint Endpoint, string Fingerprint);

/// <summary>What the pool shows for one connection: open or not, channels in use, actions waiting for a channel.</summary>
public sealed record PoolState(string Host, bool Open, int InUse, int Queued, int Limit, int Connects, DateTimeOffset? LastUsed);
