namespace AdminPortal.Tests.Peers;

public sealed partial class OpenVpnLab
{
    /// <summary>
    /// Starts a real client (same settings as <see cref="ConnectAsync"/>) that stays connected, and waits (bounded) until it
    /// is connected or has given up; <see cref="VpnTestClient.Connected"/> says which. Stopped by PID on dispose (and with the lab).
    /// </summary>
    internal async Task<VpnTestClient> StartSessionAsync(string clientCertPem, string clientKeyPem, TimeSpan? timeout = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var dir = Path.Combine(Directory, "sessions", Interlocked.Increment(ref _clientCount).ToString());
        System.IO.Directory.CreateDirectory(dir, Traversable);
        WriteFile(Path.Combine(dir, "client.crt"), clientCertPem, Readable);
        WriteFile(Path.Combine(dir, "client.key"), clientKeyPem, Secret);
        WriteFile(Path.Combine(dir, "client.conf"), ClientConfig(dir, false), Readable);
        var process = _ns.Start("openvpn", ["--config", Path.Combine(dir, "client.conf")], dir);
        _clients[process.Id] = process;
        var client = new VpnTestClient(process, Path.Combine(dir, "client.log"));
        await client.WaitOutcomeAsync(timeout ?? TimeSpan.FromSeconds(20), CancellationToken.None);
        return client;
    }

    /// <summary>Server log lines written since the lab started that contain <paramref name="text"/>.</summary>
    public int ServerLogCount(string text) => _serverLog.LinesSince(0).Count(l => l.Contains(text, StringComparison.Ordinal));
}
