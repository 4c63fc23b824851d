namespace AdminPortal.Web.Hosts.Ssh;

/// <summary>Where and as whom to connect, and the host key fingerprint (<c>SHA256:…</c>) the host must present.</summary>
public sealed record SshTarget(string Host, string Address, int Port, string User, Guid CredentialId, string TrustedFingerprint)
{
    internal (string, int, string, Guid) Key => (Address.ToLowerInvariant(), Port, User, CredentialId);

    /// <summary>Public-key authentication as <see cref="User"/> with the credential's key.</summary>
    public Renci.SshNet.ConnectionInfo ConnectionInfo(Renci.SshNet.PrivateKeyFile key, TimeSpan timeout) =>
        new(Address, Port, User, new Renci.SshNet.PrivateKeyAuthenticationMethod(User, key)) { Timeout = timeout };
}

/// <summary>What the pool shows for one connection: open or not, channels in use, actions waiting for a channel.</summary>
public sealed record PoolState(string Host, bool Open, int InUse, int Queued, int Limit, int Connects, DateTimeOffset? LastUsed);
