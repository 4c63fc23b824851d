using System.Net.Sockets;
using AdminPortal.Web.Errors;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace AdminPortal.Web.Hosts.Ssh;

/// <summary>A host's key as seen during key exchange: algorithm and fingerprint in <c>ssh-keygen -l</c>'s form.</summary>
public sealed record PresentedKey(string Algorithm, string Fingerprint);

/// <summary>
/// SSH.NET accepts any host key unless HostKeyReceived refuses it: every client the portal makes goes through
/// <see cref="Attach"/>, which refuses all but the approved fingerprint.
/// </summary>
public static class HostKeyCheck
{
    public static string Fingerprint(HostKeyEventArgs e) => "SHA256:" + e.FingerPrintSHA256;

    /// <summary>Refuses every key but <paramref name="trusted"/>; the last key seen is returned by the accessor.</summary>
    public static Func<PresentedKey?> Attach(BaseClient client, string? trusted)
    {
        PresentedKey? seen = null;
        client.HostKeyReceived += (_, e) =>
        {
            seen = new PresentedKey(e.HostKeyName, Fingerprint(e));
            e.CanTrust = trusted is not null && string.Equals(seen.Fingerprint, trusted, StringComparison.Ordinal);
        };
        return () => seen;
    }

    /// <summary>Connects only far enough to see the host key (no authentication), then refuses it.</summary>
    public static async Task<Result<PresentedKey>> ScanAsync(string host, string address, int port, TimeSpan timeout, CancellationToken ct)
    {
        var info = new Renci.SshNet.ConnectionInfo(address, port, "scan", new NoneAuthenticationMethod("scan")) { Timeout = timeout };
        using var client = new SshClient(info);
        var seen = Attach(client, trusted: null);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await client.ConnectAsync(cts.Token);
        }
        catch (Exception e) when (seen() is null && IsConnectFault(e))
        {
            return new SshFailure(host, Describe(e, timeout));
        }
        catch (Exception e) when (seen() is not null && IsConnectFault(e)) { }
        return seen() is { } key ? key : new SshFailure(host, "the host did not present a key");
    }

    public static bool IsConnectFault(Exception e) =>
        e is SshException or SocketException or OperationCanceledException or TimeoutException or IOException or ObjectDisposedException;

    /// <summary>An operator-readable reason for a failed connection; never carries key material.</summary>
    public static string Describe(Exception e, TimeSpan timeout) => e switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused (nothing listens on that port)",
        SocketException s => $"cannot connect ({s.SocketErrorCode})",
        SshAuthenticationException => "authentication refused: the host does not accept the credential's key for this user",
        SshOperationTimeoutException or OperationCanceledException or TimeoutException => $"no answer within {timeout.TotalSeconds:0.#} s",
        SshConnectionException c => $"the connection was closed ({c.Message})",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
