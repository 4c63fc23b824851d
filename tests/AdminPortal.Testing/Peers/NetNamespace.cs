using System.Diagnostics;

namespace AdminPortal.Tests.Peers;

/// <summary>
/// A network namespace of the test's own (loopback up, nothing else), so OpenVPN's tun device, ports and
/// traffic never touch the host's network. Deleting it kills whatever still runs inside it (by PID).
/// A watchdog (<see cref="AdminPortal.Testing.Processes.StartWatchdog"/>) does the same if the test process dies without disposing.
/// </summary>
internal sealed class NetNamespace : IAsyncDisposable
{
    public string Name { get; }
    private bool _deleted;

    private NetNamespace(string name) => Name = name;

    /// <param name="ownedDirectory">Removed by the watchdog too; its disappearance tells the watchdog we disposed.</param>
    public static async Task<NetNamespace> CreateAsync(string ownedDirectory, CancellationToken ct = default)
    {
        var ns = new NetNamespace($"ap-ovpn-{Environment.ProcessId}-{Guid.NewGuid():N}"[..28]);
        await Proc.CheckedAsync("ip", ["netns", "add", ns.Name], timeout: TimeSpan.FromSeconds(10), ct: ct);
        try
        {
            await Proc.CheckedAsync("ip", ["netns", "exec", ns.Name, "ip", "link", "set", "lo", "up"], timeout: TimeSpan.FromSeconds(10), ct: ct);
            AdminPortal.Testing.Processes.StartWatchdog(ownedDirectory, $"""
                for pid in $(ip netns pids '{ns.Name}' 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
                ip netns del '{ns.Name}' 2>/dev/null
                """);
        }
        catch
        {
            await ns.DisposeAsync();
            throw;
        }
        return ns;
    }

    /// <summary>A process started inside the namespace (<c>ip netns exec</c> execs, so its PID is the program's).</summary>
    public Process Start(string program, IEnumerable<string> args, string workingDirectory, Action<string>? output = null)
    {
        var psi = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var a in (string[])["netns", "exec", Name, program, .. args]) psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"{program} did not start");
        p.StandardInput.Close();
        // Always drained so a chatty program never blocks on a full pipe.
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) output?.Invoke(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) output?.Invoke(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>PIDs of the processes still inside the namespace.</summary>
    public async Task<IReadOnlyList<int>> PidsAsync()
    {
        var r = await Proc.RunAsync("ip", ["netns", "pids", Name], timeout: TimeSpan.FromSeconds(10));
        return [.. r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];
    }

    public static async Task<bool> ExistsAsync(string name)
    {
        var r = await Proc.RunAsync("ip", ["netns", "list"], timeout: TimeSpan.FromSeconds(10));
        return r.StdOut.Split('\n').Any(l => l.Split(' ')[0] == name);
    }

    /// <summary>Kills what is left inside (by PID) and deletes the namespace.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_deleted) return;
        _deleted = true;
        foreach (var pid in await PidsAsync())
            await Proc.RunAsync("kill", ["-KILL", pid.ToString()], timeout: TimeSpan.FromSeconds(5));
        await Proc.RunAsync("ip", ["netns", "del", Name], timeout: TimeSpan.FromSeconds(10));
    }
}
