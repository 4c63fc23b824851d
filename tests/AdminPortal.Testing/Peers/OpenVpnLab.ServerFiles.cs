namespace AdminPortal.Tests.Peers;

public sealed partial class OpenVpnLab
{
    /// <summary>
    /// Starts a server from the files a portal hands out for installing one by hand (server.conf, ca.pem,
    /// server.crt, server.key, tls-crypt.key, crl.pem), unchanged except for what a test namespace needs
    /// appended: a log file, the loopback address and a management socket.
    /// </summary>
    public static Task<OpenVpnLab> StartFromServerFilesAsync(IReadOnlyDictionary<string, string> files, int port = DefaultPort, CancellationToken ct = default)
    {
        string[] expected = ["server.conf", "ca.pem", "server.crt", "server.key", "tls-crypt.key", "crl.pem"];
        if (expected.FirstOrDefault(f => !files.ContainsKey(f)) is { } missing)
            throw new ArgumentException($"The server files lack {missing}.", nameof(files));
        return StartInAsync(port, files["crl.pem"], null, dir =>
        {
            foreach (var (name, text) in files)
            {
                if (name == "crl.pem") continue;
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(dir, name))!, Traversable); // e.g. ccd/NAME
                WriteFile(Path.Combine(dir, name), text, name.EndsWith(".key", StringComparison.Ordinal) ? Secret : Readable);
            }
            WriteFile(Path.Combine(dir, "ca.crt"), files["ca.pem"], Readable); // the lab's own clients read ca.crt
            File.AppendAllText(Path.Combine(dir, "server.conf"), string.Join('\n', (string[])[
                $"log {Path.Combine(dir, "server.log")}", "local 127.0.0.1", $"management {Path.Combine(dir, "mgmt.sock")} unix"]) + "\n");
            return Task.CompletedTask;
        }, ct);
    }

    /// <summary>
    /// SIGHUP: the server re-reads its configuration and every file, CRLs included, and restarts its TLS state;
    /// waits (bounded) for "Initialization Sequence Completed" again.
    /// </summary>
    public async Task ReloadAsync(CancellationToken ct = default)
    {
        var mark = _serverLog.End;
        AdminPortal.Testing.Processes.Signal("HUP", ServerPid);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!_serverLog.LinesSince(mark).Any(l => l.Contains("Initialization Sequence Completed", StringComparison.Ordinal)))
        {
            if (_server!.HasExited || watch.Elapsed > TimeSpan.FromSeconds(20))
                throw new OpenVpnLabStartException($"OpenVPN did not come back after SIGHUP.\n{_serverLog.Tail()}", Namespace, _serverLog.Tail());
            await Task.Delay(25, ct);
        }
    }
}
