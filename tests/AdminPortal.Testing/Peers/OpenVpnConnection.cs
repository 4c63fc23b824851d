namespace AdminPortal.Tests.Peers;

public enum OpenVpnOutcome
{
    /// <summary>The client logged "Initialization Sequence Completed".</summary>
    Connected,

    /// <summary>The server failed the TLS handshake (its log says why: see <see cref="OpenVpnConnection.Reason"/>).</summary>
    Rejected,

    /// <summary>The client gave up without the server rejecting it (bad key or passphrase, server certificate refused...).</summary>
    ClientFailed,

    /// <summary>Neither side reached an outcome in time.</summary>
    TimedOut,
}

/// <summary>What one client connection attempt came to, with both sides' logs for the assertion message.</summary>
/// <param name="Reason">For a rejection, the server's verify error ("certificate revoked", "CRL has expired",
/// "unsuitable certificate purpose") or its first error line; otherwise the client's error, if any.</param>
/// <param name="CommonName">The CN the server saw in "[CN] Peer Connection Initiated", when it got that far.</param>
public sealed record OpenVpnConnection(
    OpenVpnOutcome Outcome, string? Reason, string? CommonName, string ServerLog, string ClientLog, TimeSpan Elapsed)
{
    public bool Connected => Outcome == OpenVpnOutcome.Connected;
    public bool Rejected => Outcome == OpenVpnOutcome.Rejected;

    public override string ToString() =>
        $"{Outcome} ({Reason ?? "no reason"}) after {Elapsed.TotalMilliseconds:F0} ms\n--- server log ---\n{ServerLog}\n--- client log ---\n{ClientLog}";
}
