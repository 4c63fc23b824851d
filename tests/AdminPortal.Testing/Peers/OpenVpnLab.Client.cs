using System.Diagnostics;

namespace AdminPortal.Tests.Peers;

public sealed partial class OpenVpnLab
{
    /// <summary>
    /// Runs one real OpenVPN client (<c>dev null</c>, tcp-client, in the lab's namespace) with the given certificate
    /// and key until the outcome is known, then stops it by PID. Attempts are serialized so that the server log
    /// lines after the attempt's start belong to it (matched by the client's source port).
    /// </summary>
    /// <param name="keyPassphrase">For an encrypted (PKCS#8) key; given to OpenVPN with <c>askpass</c>.</param>
    /// <param name="timeout">Default 15 s; a rejection on TCP is known in well under a second.</param>
    public Task<OpenVpnConnection> ConnectAsync(string clientCertPem, string clientKeyPem, string? keyPassphrase = null,
        TimeSpan? timeout = null, CancellationToken ct = default) =>
        RunClientAsync(dir =>
        {
            WriteFile(Path.Combine(dir, "client.crt"), clientCertPem, Readable);
            WriteFile(Path.Combine(dir, "client.key"), clientKeyPem, Secret);
            if (keyPassphrase is not null) WriteFile(Path.Combine(dir, "pass"), keyPassphrase, Secret);
            WriteFile(Path.Combine(dir, "client.conf"), ClientConfig(dir, keyPassphrase is not null), Readable);
            return ["--config", Path.Combine(dir, "client.conf")];
        }, timeout, ct);

    /// <summary>
    /// Runs a client from a complete unified profile (as a person would import it), in the lab's namespace:
    /// only what a namespace needs is overridden on the command line (<c>dev null</c>, no ifconfig/routes,
    /// one attempt, a log file), everything else, remote and keys included, comes from the profile.
    /// </summary>
    public Task<OpenVpnConnection> ConnectWithProfileAsync(string ovpn, string? keyPassphrase = null, TimeSpan? timeout = null, CancellationToken ct = default) =>
        RunClientAsync(dir =>
        {
            WriteFile(Path.Combine(dir, "profile.ovpn"), ovpn, Secret);
            if (keyPassphrase is not null) WriteFile(Path.Combine(dir, "pass"), keyPassphrase, Secret);
            return ["--config", Path.Combine(dir, "profile.ovpn"), "--log", Path.Combine(dir, "client.log"), "--verb", "3",
                "--dev", "null", "--ifconfig-noexec", "--route-noexec", "--connect-retry-max", "1", "--tls-exit", "--hand-window", "5",
                .. keyPassphrase is null ? Array.Empty<string>() : ["--askpass", Path.Combine(dir, "pass")]];
        }, timeout, ct);

    private async Task<OpenVpnConnection> RunClientAsync(Func<string, string[]> prepare, TimeSpan? timeout, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var limit = timeout ?? TimeSpan.FromSeconds(15);
        await _connectGate.WaitAsync(ct);
        var dir = Path.Combine(Directory, "clients", Interlocked.Increment(ref _clientCount).ToString());
        Process? client = null;
        try
        {
            System.IO.Directory.CreateDirectory(dir, Traversable);
            var args = prepare(dir);

            var clientLog = new OpenVpnLog(Path.Combine(dir, "client.log"));
            var mark = _serverLog.End;
            var watch = Stopwatch.StartNew();
            client = _ns.Start("openvpn", args, dir);
            _clients[client.Id] = client;
            while (true)
            {
                var exited = client.HasExited; // read before the logs, so a final read sees all the client wrote
                var clientLines = clientLog.LinesSince(0);
                var serverLines = _serverLog.LinesSince(mark);
                var port = OpenVpnLog.ConnectionPort(serverLines);
                var peer = port is { } p ? OpenVpnLog.PeerLines(serverLines, p) : [];
                OpenVpnConnection Result(OpenVpnOutcome outcome, string? reason) => new(outcome, reason, OpenVpnLog.PeerCommonName(peer),
                    string.Join('\n', serverLines.TakeLast(60)), string.Join('\n', clientLines.TakeLast(60)), watch.Elapsed);

                if (clientLines.Any(l => l.Contains("Initialization Sequence Completed", StringComparison.Ordinal)))
                    return Result(OpenVpnOutcome.Connected, null);
                if (OpenVpnLog.HandshakeFailed(peer))
                    return Result(OpenVpnOutcome.Rejected, OpenVpnLog.FailureReason(peer));
                if (exited)
                    return Result(OpenVpnOutcome.ClientFailed, OpenVpnLog.FailureReason(peer) ?? OpenVpnLog.FailureReason(clientLines));
                if (watch.Elapsed > limit)
                    return Result(OpenVpnOutcome.TimedOut, $"no outcome within {limit.TotalSeconds:F0} s");
                await Task.Delay(20, ct);
            }
        }
        finally
        {
            if (client is not null)
            {
                Proc.Kill(client);
                _clients.TryRemove(client.Id, out _);
                client.Dispose();
            }
            TryDeleteDirectory(dir);
            _connectGate.Release();
        }
    }

    private string ClientConfig(string dir, bool askPass) => string.Join('\n', (string[])[
        $"log {Path.Combine(dir, "client.log")}", "verb 3",
        "client", "dev null", "proto tcp-client", $"remote 127.0.0.1 {Port}", "nobind",
        "ifconfig-noexec", "route-noexec", "remote-cert-tls server",
        "connect-retry-max 1", "tls-exit", "hand-window 5",
        $"ca {CaPath}", $"cert {Path.Combine(dir, "client.crt")}", $"key {Path.Combine(dir, "client.key")}",
        $"tls-crypt {Path.Combine(Directory, "tls-crypt.key")}",
        .. askPass ? [$"askpass {Path.Combine(dir, "pass")}"] : Array.Empty<string>()]) + "\n";
}
