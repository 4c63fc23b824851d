using System.Diagnostics;
using System.Runtime.Versioning;

namespace AdminPortal.Tests.Peers;

/// <summary>
/// A machine the portal can make into a VPN server: a private sshd that lets root in (OpenVPN needs root for its tun
/// device) plus a network namespace of the test's own. A portal VPN server record in <c>daemon</c> mode with
/// <c>netNamespace = Namespace</c> and <c>configDir = ConfigDir</c> runs a real OpenVPN there, started by the portal over
/// SSH; <see cref="StartClientAsync"/> runs portal-issued client profiles in the same namespace. Everything inside the
/// namespace is killed by PID and the namespace deleted on dispose (a watchdog does it if the test process dies).
/// </summary>
[SupportedOSPlatform("linux")] // network namespaces, unix modes
public sealed class VpnHostLab : IAsyncDisposable
{
    private readonly NetNamespace _ns;
    private int _clients;

    private VpnHostLab(SshdServer sshd, string root, NetNamespace ns)
    {
        Sshd = sshd;
        Root = root;
        _ns = ns;
    }

    public SshdServer Sshd { get; }
    /// <summary>This lab's folder (world-traversable, so OpenVPN running as nobody can re-read its CRL below it).</summary>
    public string Root { get; }
    public string Namespace => _ns.Name;
    /// <summary>A config directory for the portal's VPN server record (it does not exist until the first publish).</summary>
    public string ConfigDir => Path.Combine(Root, "openvpn");
    /// <summary>Where a daemon-mode server's log goes (the portal starts it with <c>--log-append CONFIGDIR/openvpn.log</c>).</summary>
    public string ServerLogPath => Path.Combine(ConfigDir, "openvpn.log");

    /// <param name="sshd">A running sshd that authorizes the portal's credential for root (SshLab.SshdAsync does).</param>
    public static async Task<VpnHostLab> StartAsync(SshdServer sshd, CancellationToken ct = default)
    {
        var root = Path.Combine(Path.GetTempPath(), $"ap-vpnhost-{Guid.NewGuid():N}"[..22]);
        Directory.CreateDirectory(root, Traversable);
        File.SetUnixFileMode(root, Traversable);
        Directory.CreateDirectory(Path.Combine(root, "clients"), Traversable);
        try
        {
            return new VpnHostLab(sshd, root, await NetNamespace.CreateAsync(root, ct));
        }
        catch
        {
            Directory.Delete(root, true);
            throw;
        }
    }

    public string ServerLog(int lines = 60) => File.Exists(ServerLogPath) ? string.Join('\n', File.ReadLines(ServerLogPath).TakeLast(lines)) : "(no server log)";

    /// <summary>PIDs of the OpenVPN processes running in the namespace (servers and clients).</summary>
    public async Task<IReadOnlyList<int>> OpenVpnPidsAsync() =>
        [.. (await _ns.PidsAsync()).Where(pid => Comm(pid) == "openvpn")];

    /// <summary>The OpenVPN server the portal started (the one that is not one of this lab's clients), or null.</summary>
    public async Task<int?> ServerPidAsync()
    {
        foreach (var pid in await OpenVpnPidsAsync())
            if (File.Exists($"/proc/{pid}/cmdline") && !File.ReadAllText($"/proc/{pid}/cmdline").Contains(Path.Combine(Root, "clients"), StringComparison.Ordinal))
                return pid;
        return null;
    }

    /// <summary>
    /// Starts a client from a unified profile (only what the namespace needs is overridden: <c>dev null</c>, no
    /// ifconfig/routes, one connection attempt) and waits (bounded) until it connected or gave up. It keeps running
    /// until disposed, so that the server lists it and a kick can end it.
    /// </summary>
    public async Task<VpnTestClient> StartClientAsync(string ovpn, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var dir = Path.Combine(Root, "clients", Interlocked.Increment(ref _clients).ToString());
        Directory.CreateDirectory(dir, Traversable);
        await File.WriteAllTextAsync(Path.Combine(dir, "profile.ovpn"), ovpn, ct);
        File.SetUnixFileMode(Path.Combine(dir, "profile.ovpn"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var log = Path.Combine(dir, "client.log");
        var process = _ns.Start("openvpn", ["--config", Path.Combine(dir, "profile.ovpn"), "--log", log, "--verb", "3",
            "--dev", "null", "--ifconfig-noexec", "--route-noexec", "--connect-retry-max", "1", "--tls-exit", "--hand-window", "5"], dir);
        var client = new VpnTestClient(process, log);
        await client.WaitOutcomeAsync(timeout ?? TimeSpan.FromSeconds(20), ct);
        return client;
    }

    private static string Comm(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim(); }
        catch (IOException) { return ""; }
    }

    public async ValueTask DisposeAsync()
    {
        await _ns.DisposeAsync();
        try { Directory.Delete(Root, true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    internal const UnixFileMode Traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
}

/// <summary>One OpenVPN client process of a <see cref="VpnHostLab"/>; disposing stops it by PID.</summary>
public sealed class VpnTestClient(Process process, string logPath) : IAsyncDisposable
{
    public int Pid => process.Id;
    public bool Connected { get; private set; }
    public bool Running => !process.HasExited;

    public string Log(int lines = 60) => File.Exists(logPath) ? string.Join('\n', File.ReadLines(logPath).TakeLast(lines)) : "(no client log)";

    /// <summary>The client's local TUN address as the server pushed it ("ifconfig 10.8.0.2 ..."), when connected.</summary>
    public string? VirtualAddress => File.Exists(logPath)
        ? File.ReadLines(logPath).Select(l => System.Text.RegularExpressions.Regex.Match(l, @"PUSH: Received control message: .*ifconfig (\d+\.\d+\.\d+\.\d+) "))
            .Where(m => m.Success).Select(m => m.Groups[1].Value).LastOrDefault()
        : null;

    internal async Task WaitOutcomeAsync(TimeSpan timeout, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            var exited = process.HasExited;
            if (File.Exists(logPath) && File.ReadLines(logPath).Any(l => l.Contains("Initialization Sequence Completed", StringComparison.Ordinal)))
            {
                Connected = true;
                return;
            }
            if (exited) return;
            await Task.Delay(25, ct);
        }
    }

    /// <summary>Waits (bounded) for the client to exit (a kick, a revocation); true when it did.</summary>
    public async Task<bool> WaitExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public override string ToString() => $"client {Pid} ({(Connected ? "connected" : "not connected")}, {(Running ? "running" : "exited")}):\n{Log()}";

    public async ValueTask DisposeAsync()
    {
        await Proc.TerminateAsync(process, TimeSpan.FromSeconds(3));
        process.Dispose();
    }
}
