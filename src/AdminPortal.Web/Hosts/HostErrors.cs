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
