using System.Diagnostics;

namespace AdminPortal.Testing;

/// <summary>
/// Stopping what tests start, by PID: signals, a liveness check that counts zombies as gone (PID 1 here does
/// not always reap), a bounded stop, and a watchdog for when the test host dies without cleaning up.
/// </summary>
public static class Processes
{
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Sends a signal (TERM, INT, KILL…); a process already gone is not an error.</summary>
    public static void Signal(string signal, int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { $"-{signal}", pid.ToString() }, RedirectStandardError = true })!;
        kill.WaitForExit(10_000);
    }

    /// <summary>Signals, waits (bounded) for the process to be gone, and kills it if it is not.</summary>
    public static void Stop(int pid, string signal = "TERM", int waitMs = 10_000)
    {
        if (!IsAlive(pid)) return;
        Signal(signal, pid);
        for (var waited = 0; waited < waitMs && IsAlive(pid); waited += 50) Thread.Sleep(50);
        if (IsAlive(pid)) Signal("KILL", pid);
    }

    /// <summary>
    /// VSTest may kill the test host without running ProcessExit handlers. A detached shell polls this process;
    /// when it is gone and <paramref name="ownedDirectory"/> still exists, it runs <paramref name="cleanupScript"/>
    /// and removes the directory. A normal dispose removes the directory, which tells the watchdog to exit.
    /// </summary>
    public static void StartWatchdog(string ownedDirectory, string cleanupScript = "")
    {
        var script = $$"""
            while kill -0 {{Environment.ProcessId}} 2>/dev/null && [ -d '{{ownedDirectory}}' ]; do sleep 1; done
            [ -d '{{ownedDirectory}}' ] || exit 0
            {{cleanupScript}}
            rm -rf '{{ownedDirectory}}'
            """;
        // Started from a throw-away setsid shell so it is re-parented, not killed with this process's tree.
        var psi = new ProcessStartInfo("setsid") { UseShellExecute = false };
        foreach (var a in (string[])["bash", "-c", $"( {script} ) </dev/null >/dev/null 2>&1 &"]) psi.ArgumentList.Add(a);
        using var shell = Process.Start(psi)!;
        shell.WaitForExit();
    }
}
