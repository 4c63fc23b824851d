using System.Diagnostics;

namespace AdminPortal.Tests.Peers;

/// <summary>
/// Cleans up after a test process that dies without disposing (VSTest may kill it): a detached shell polls
/// this process; when it is gone and <c>ownedDirectory</c> still exists, it runs the cleanup and removes the
/// directory. A normal dispose removes the directory, which is the watchdog's signal to exit.
/// </summary>
internal static class Watchdog
{
    public static void Start(string ownedDirectory, string cleanupScript = "")
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
