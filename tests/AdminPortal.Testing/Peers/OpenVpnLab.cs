using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.Versioning;

namespace AdminPortal.Tests.Peers;

/// <summary>
/// A real OpenVPN 2.6 server (tcp-server on 127.0.0.1) inside a network namespace of its own, started from
/// PEM strings, plus throw-away clients in the same namespace (<see cref="ConnectAsync"/>). Everything it
/// starts is stopped by PID on dispose, the namespace is deleted and the files removed; a watchdog does the
/// same if the test process dies first. Independent of the portal's PKI code on purpose.
/// </summary>
[SupportedOSPlatform("linux")] // network namespaces
public sealed partial class OpenVpnLab : IAsyncDisposable, IDisposable
{
    /// <summary>The namespace is fresh, so OpenVPN's usual port is always free inside it.</summary>
    public const int DefaultPort = 1194;

    private readonly NetNamespace _ns;
    private Process? _server; // set right after construction, before anyone else sees the lab
    private readonly OpenVpnLog _serverLog;
    private readonly ConcurrentDictionary<int, Process> _clients = new();
    private readonly SemaphoreSlim _managementGate = new(1, 1);
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private int _clientCount;
    private readonly Lock _crlLock = new();
    private DateTime _crlStamp;
    private bool _disposed;

    public string Namespace => _ns.Name;
    public int Port { get; }
    /// <summary>The lab's files: ca.crt, server.crt/.key, crl.pem, tls-crypt.key, server.conf, server.log, mgmt.sock, clients/.</summary>
    public string Directory { get; }
    public string TlsCryptKey { get; }
    public int ServerPid => _server!.Id;
    public bool ServerRunning => !_server!.HasExited;
    public string CrlPath => Path.Combine(Directory, "crl.pem");
    public string CaPath => Path.Combine(Directory, "ca.crt");
    public string ManagementSocket => Path.Combine(Directory, "mgmt.sock");

    private OpenVpnLab(string directory, int port, string tlsCryptKey, NetNamespace ns)
    {
        Directory = directory;
        Port = port;
        TlsCryptKey = tlsCryptKey;
        _ns = ns;
        _serverLog = new OpenVpnLog(Path.Combine(directory, "server.log"));
    }

    /// <summary>Starts the server and waits (bounded) for "Initialization Sequence Completed".</summary>
    /// <param name="caPem">CA certificate(s) the server trusts for clients (and the clients for the server).</param>
    /// <param name="crlPem">The crl-verify file: one or several concatenated PEM CRLs.</param>
    /// <param name="tlsCryptKey">An OpenVPN static key; one is generated when null.</param>
    /// <param name="extraConfig">More server config lines (e.g. <c>user nobody</c>), appended last.</param>
    /// <exception cref="OpenVpnLabStartException">The server died or did not come up; carries its log tail.</exception>
    public static async Task<OpenVpnLab> StartAsync(string caPem, string serverCertPem, string serverKeyPem, string crlPem,
        string? tlsCryptKey = null, IEnumerable<string>? extraConfig = null, int port = DefaultPort,
        TimeSpan? startTimeout = null, CancellationToken ct = default)
    {
        return await StartInAsync(port, crlPem, startTimeout, async dir =>
        {
            WriteFile(Path.Combine(dir, "ca.crt"), caPem, Readable);
            WriteFile(Path.Combine(dir, "server.crt"), serverCertPem, Readable);
            WriteFile(Path.Combine(dir, "server.key"), serverKeyPem, Secret);
            var tlsCryptPath = Path.Combine(dir, "tls-crypt.key");
            if (tlsCryptKey is null)
                await Proc.CheckedAsync("openvpn", ["--genkey", "tls-crypt", tlsCryptPath], timeout: TimeSpan.FromSeconds(20), ct: ct);
            else
                WriteFile(tlsCryptPath, tlsCryptKey, Secret);
            WriteFile(Path.Combine(dir, "server.conf"), ServerConfig(dir, port, extraConfig ?? []), Readable);
        }, ct);
    }

    /// <summary>Creates the lab's directory and namespace, lets <paramref name="prepare"/> write the server's files, starts the server.</summary>
    private static async Task<OpenVpnLab> StartInAsync(int port, string crlPem, TimeSpan? startTimeout, Func<string, Task> prepare, CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"ap-ovpn-{Guid.NewGuid():N}"[..20]);
        System.IO.Directory.CreateDirectory(dir, Traversable);
        NetNamespace? ns = null;
        OpenVpnLab? lab = null;
        try
        {
            await prepare(dir);
            ns = await NetNamespace.CreateAsync(dir, ct);
            var output = new ConcurrentQueue<string>();
            lab = new OpenVpnLab(dir, port, await File.ReadAllTextAsync(Path.Combine(dir, "tls-crypt.key"), ct), ns);
            lab.ReplaceCrl(crlPem);
            lab._server = ns.Start("openvpn", ["--cd", dir, "--config", Path.Combine(dir, "server.conf")], dir, output.Enqueue);
            await lab.WaitForServerAsync(startTimeout ?? TimeSpan.FromSeconds(20), output, ct);
            return lab;
        }
        catch
        {
            if (lab is not null) await lab.DisposeAsync();
            else if (ns is not null) await ns.DisposeAsync();
            TryDeleteDirectory(dir);
            throw;
        }
    }

    private static string ServerConfig(string dir, int port, IEnumerable<string> extra) => string.Join('\n', (string[])[
        $"log {Path.Combine(dir, "server.log")}", "verb 3",
        "dev tun", "topology subnet", "server 10.200.0.0 255.255.255.0",
        "proto tcp-server", "local 127.0.0.1", $"port {port}", "dh none",
        $"ca {Path.Combine(dir, "ca.crt")}", $"cert {Path.Combine(dir, "server.crt")}", $"key {Path.Combine(dir, "server.key")}",
        $"tls-crypt {Path.Combine(dir, "tls-crypt.key")}", $"crl-verify {Path.Combine(dir, "crl.pem")}",
        "remote-cert-tls client", $"management {Path.Combine(dir, "mgmt.sock")} unix",
        .. extra]) + "\n";

    private async Task WaitForServerAsync(TimeSpan timeout, ConcurrentQueue<string> output, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (_serverLog.LinesSince(0).Any(l => l.Contains("Initialization Sequence Completed", StringComparison.Ordinal))) return;
            if (_server!.HasExited || watch.Elapsed > timeout)
            {
                var what = _server.HasExited ? $"exited with {_server.ExitCode}" : $"did not start within {timeout.TotalSeconds:F0} s";
                throw new OpenVpnLabStartException(
                    $"OpenVPN server {what} (namespace {Namespace}).\n--- server log ---\n{_serverLog.Tail()}\n--- output ---\n{string.Join('\n', output)}",
                    Namespace, _serverLog.Tail());
            }
            await Task.Delay(25, ct);
        }
    }

    /// <summary>
    /// Atomically replaces the crl-verify file (temp file + rename). OpenVPN re-reads it at the next handshake
    /// when its size or mtime (whole seconds) changed, so each replacement gets a later mtime than the last,
    /// even within the same second; otherwise an equal-sized CRL written quickly would silently be ignored.
    /// </summary>
    public void ReplaceCrl(string crlPem)
    {
        lock (_crlLock)
        {
            var temp = CrlPath + ".new";
            WriteFile(temp, crlPem, Readable);
            var now = DateTime.UtcNow;
            var stamp = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
            if (stamp <= _crlStamp) stamp = _crlStamp.AddSeconds(1);
            File.SetLastWriteTimeUtc(temp, stamp);
            _crlStamp = stamp;
            File.Move(temp, CrlPath, overwrite: true);
        }
    }

    /// <summary>One management command (<c>status 2</c>, <c>client-kill CID HALT</c>, <c>version</c>); returns the answer
    /// up to and including its END / SUCCESS: / ERROR: line.</summary>
    public async Task<string> ManagementAsync(string command, CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromSeconds(10));
        await _managementGate.WaitAsync(cts.Token);
        try
        {
            return await OpenVpnManagement.SendAsync(ManagementSocket, command, cts.Token);
        }
        finally
        {
            _managementGate.Release();
        }
    }

    /// <summary>The last lines of the server's log (for assertion messages).</summary>
    public string ServerLogTail(int lines = 40) => _serverLog.Tail(lines);

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            foreach (var client in _clients.Values) Proc.Kill(client);
            if (_server is not null)
            {
                await Proc.TerminateAsync(_server, TimeSpan.FromSeconds(5));
                _server.Dispose();
            }
        }
        finally
        {
            await _ns.DisposeAsync();
            TryDeleteDirectory(Directory);
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private const UnixFileMode Secret = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Readable = Secret | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    // World-traversable so a server configured with "user nobody" (extraConfig) can still re-read crl.pem.
    private const UnixFileMode Traversable = Readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private static void WriteFile(string path, string text, UnixFileMode mode)
    {
        using (var f = new FileStream(path, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = mode }))
        using (var w = new StreamWriter(f))
            w.Write(text.EndsWith('\n') ? text : text + "\n");
        File.SetUnixFileMode(path, mode);
    }

    private static void TryDeleteDirectory(string dir)
    {
        try { System.IO.Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>The lab's server did not come up; <see cref="LogTail"/> says why. Nothing of it is left behind.</summary>
public sealed class OpenVpnLabStartException(string message, string @namespace, string logTail) : Exception(message)
{
    public string Namespace { get; } = @namespace;
    public string LogTail { get; } = logTail;
}
