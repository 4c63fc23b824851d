using AdminPortal.Web.Errors;

namespace AdminPortal.Web.Hosts;

/// <summary>The host presented a key other than the approved one: the connection was refused.</summary>
public sealed record HostKeyMismatch(string Host, string Expected, string Actual)
    : PortalError("Host key mismatch",
        $"Host '{Host}' presented the key {Actual}, not the approved {Expected}: the connection was refused. " +
        "A SecurityLead or Admin must approve the new key before the portal connects again.", StatusCodes.Status409Conflict);

public sealed record HostNotTrusted(string Host)
    : PortalError("Host key not approved", $"Host '{Host}' has no approved host key yet: approve its fingerprint first.", StatusCodes.Status409Conflict);

/// <summary>The host could not be reached or refused the portal (closed port, wrong key, timeout).</summary>
public sealed record SshFailure(string Host, string Message)
    : PortalError("SSH connection failed", $"{Host}: {Message}", StatusCodes.Status502BadGateway);

/// <summary>An approval named a key the host does not present now (or the host could not be asked): nothing was approved.</summary>
public sealed record HostKeyNotPresented(string Host, string Fingerprint, string Reason)
    : PortalError("Host key not presented",
        $"{Reason} Only the key a host presents can be approved (a key it has not presented yet only in advance, when the host is added); " +
        "nothing was changed.", StatusCodes.Status409Conflict)
{
    public static HostKeyNotPresented Other(string host, string fingerprint, string presented) =>
        new(host, fingerprint, $"Host '{host}' presents the key {presented} now, not {fingerprint}.");

    public static HostKeyNotPresented Unreadable(string host, string fingerprint, string why) =>
        new(host, fingerprint, $"The portal could not read the key host '{host}' presents ({why}).");
}
