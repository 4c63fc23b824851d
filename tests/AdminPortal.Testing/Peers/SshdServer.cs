using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AdminPortal.Testing;

namespace AdminPortal.Tests.Peers;

/// <summary>
/// A private OpenSSH sshd on a loopback port (PEERS.md): own config, host key, PidFile and log (LogLevel VERBOSE, one
/// "Accepted publickey" line per TCP connection). Authorized keys live in this server's folder (keys/USER), so no
/// home directory is touched; the test unix user <see cref="TestUser"/> is created once. Stopped by PID.
/// </summary>
public sealed class SshdServer : IAsyncDisposable
{
    public const string TestUser = "apssh";

    /// <summary>
    /// A non-root login user with a NOPASSWD sudo rule of its own (<c>/etc/sudoers.d/adminportal-tests</c>, for this user only):
    /// the portal's "sudo -n" way of being root. <see cref="TestUser"/> has no sudo rights (an unprivileged account).
    /// </summary>
    public const string SudoUser = "apsudo";
    private static readonly SemaphoreSlim UserLock = new(1, 1);
    private Process? _sshd;

    private SshdServer(string root, int port)
    {
        Root = root;
        Port = port;
    }

    public string Root { get; }
    public int Port { get; }
    public string LogFile => Path.Combine(Root, "sshd.log");
    private string Config => Path.Combine(Root, "sshd_config");
    private string HostKey => Path.Combine(Root, "host_ed25519");

    /// <summary>Starts an sshd; <paramref name="maxSessions"/> is sshd's channel limit per connection.</summary>
    public static async Task<SshdServer> StartAsync(int maxSessions = 10)
    {
        await EnsureTestUserAsync();
        Directory.CreateDirectory("/run/sshd");
        var root = Path.Combine(Path.GetTempPath(), "apsshd-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path.Combine(root, "keys"));
        Processes.StartWatchdog(root, $"[ -f '{root}/sshd.pid' ] && kill $(cat '{root}/sshd.pid')");
        var server = new SshdServer(root, FreePort());
        await server.NewHostKeyAsync();
        await File.WriteAllTextAsync(server.Config, $"""
            Port {server.Port}
            ListenAddress 127.0.0.1
            HostKey {server.HostKey}
            PidFile {root}/sshd.pid
            AuthorizedKeysFile {root}/keys/%u .ssh/authorized_keys
            StrictModes no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            PermitRootLogin prohibit-password
            MaxSessions {maxSessions}
            MaxStartups 200:30:400
            LogLevel VERBOSE
            Subsystem sftp internal-sftp

            """);
        await Proc.CheckedAsync("/usr/sbin/sshd", ["-t", "-f", server.Config]);
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>Lets <paramref name="user"/> log in with this authorized_keys line.</summary>
    public void Authorize(string user, string publicKeyLine) =>
        File.AppendAllText(Path.Combine(Root, "keys", user), publicKeyLine.Trim() + "\n");

    public string Log() => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";

    /// <summary>TCP connections that authenticated so far.</summary>
    public int AcceptedConnections() => Log().Split('\n').Count(l => l.Contains("Accepted publickey", StringComparison.Ordinal));

    /// <summary>A new host key (the next start presents it): what a reinstalled or impersonated server looks like.</summary>
    public async Task NewHostKeyAsync()
    {
        File.Delete(HostKey);
        File.Delete(HostKey + ".pub");
        await Proc.CheckedAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", HostKey]);
    }

    /// <summary>The host key's fingerprint as ssh-keygen -l prints it (SHA256:…).</summary>
    public async Task<string> FingerprintAsync() =>
        (await Proc.CheckedAsync("ssh-keygen", ["-l", "-E", "sha256", "-f", HostKey + ".pub"])).Split(' ')[1];

    /// <summary>Stops the server and every connection it serves (their processes, by PID), then starts it again.</summary>
    public async Task RestartAsync()
    {
        Stop();
        await StartProcessAsync();
    }

    /// <summary>
    /// SIGHUP: sshd re-executes itself and presents the current host key to new connections, while the connections it
    /// already serves go on (as <c>systemctl reload ssh</c> after a host key was replaced). Returns once the new key is served.
    /// </summary>
    public async Task ReloadAsync()
    {
        if (_sshd is null) throw new InvalidOperationException("sshd is not running");
        var key = (await File.ReadAllTextAsync(HostKey + ".pub")).Split(' ')[1];
        Processes.Signal("HUP", _sshd.Id);
        for (var i = 0; i < 200; i++)
        {
            var scan = await Proc.RunAsync("ssh-keyscan", ["-T", "2", "-t", "ed25519", "-p", Port.ToString(), "127.0.0.1"]);
            if (scan.StdOut.Contains(key, StringComparison.Ordinal)) return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"sshd on {Port} did not present its new host key after SIGHUP:\n{Log()}");
    }

    public void Stop()
    {
        if (_sshd is null) return;
        var pid = _sshd.Id;
        foreach (var child in Enumerable.Reverse(Descendants(pid))) Processes.Stop(child, waitMs: 3000);
        Processes.Stop(pid);
        _sshd.Dispose();
        _sshd = null;
    }

    /// <summary>
    /// Sends a signal to sshd and every connection it serves, by PID (KILL: the host dies under its sessions; STOP: it
    /// freezes, CONT thaws it). After a KILL, <see cref="RestartAsync"/> brings the host back.
    /// </summary>
    public void SignalAll(string signal)
    {
        if (_sshd is null) return;
        foreach (var pid in Descendants(_sshd.Id).Prepend(_sshd.Id)) Processes.Signal(signal, pid);
    }

    private async Task StartProcessAsync()
    {
        var psi = new ProcessStartInfo("/usr/sbin/sshd") { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var a in (string[])["-D", "-f", Config, "-E", LogFile]) psi.ArgumentList.Add(a);
        _sshd = Process.Start(psi)!;
        for (var i = 0; i < 200; i++)
        {
            if (_sshd.HasExited) throw new InvalidOperationException($"sshd exited ({_sshd.ExitCode}):\n{Log()}");
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(25);
            }
        }
        throw new TimeoutException($"sshd did not listen on {Port}:\n{Log()}");
    }

    /// <summary>Every process below <paramref name="pid"/>, parents first (read from /proc).</summary>
    private static List<int> Descendants(int pid)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var p)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                parents[p] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        }
        var result = new List<int>();
        var frontier = new Queue<int>([pid]);
        while (frontier.Count > 0)
        {
            var parent = frontier.Dequeue();
            foreach (var (child, _) in parents.Where(kv => kv.Value == parent))
            {
                result.Add(child);
                frontier.Enqueue(child);
            }
        }
        return result;
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static async Task EnsureTestUserAsync()
    {
        await UserLock.WaitAsync();
        try
        {
            foreach (var user in new[] { TestUser, SudoUser })
            {
                if ((await Proc.RunAsync("id", [user])).ExitCode == 0) continue;
                var add = await Proc.RunAsync("useradd", ["-m", "-s", "/bin/bash", user]);
                if (add.ExitCode is not (0 or 9)) throw new InvalidOperationException($"useradd failed: {add.StdErr}");
                await Proc.CheckedAsync("usermod", ["-p", "*", user]);
            }
            const string rule = "/etc/sudoers.d/adminportal-tests";
            var line = $"{SudoUser} ALL=(root) NOPASSWD: ALL\n";
            if (!File.Exists(rule) || await File.ReadAllTextAsync(rule) != line)
            {
                var temp = $"{rule}.{Environment.ProcessId}.tmp";
                await File.WriteAllTextAsync(temp, line);
                await Proc.CheckedAsync("chmod", ["0440", temp]);
                await Proc.CheckedAsync("visudo", ["-c", "-q", "-f", temp]);
                File.Move(temp, rule, overwrite: true);
            }
        }
        finally
        {
            UserLock.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        try { Directory.Delete(Root, true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}
