using System.Diagnostics;

namespace AdminPortal.Tests.Peers;

/// <summary>Runs short helper commands (ip, openssl, easyrsa) to completion, bounded, and stops overrunners by PID.</summary>
internal static class Proc
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null,
        string? workingDirectory = null, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "/",
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"{file} did not start");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = p.StandardError.ReadToEndAsync(CancellationToken.None);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill(p);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time (PID {p.Id} killed)");
        }
        return new Result(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Like <see cref="RunAsync"/> but a non-zero exit is an exception carrying the output.</summary>
    public static async Task<string> CheckedAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null,
        string? workingDirectory = null, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var argList = args.ToList();
        var r = await RunAsync(file, argList, env, workingDirectory, timeout, ct);
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', argList)} failed ({r.ExitCode}):\n{r.StdErr}\n{r.StdOut}");
        return r.StdOut;
    }

    /// <summary>SIGKILL by PID (the Process handle), then a bounded wait so the child is reaped.</summary>
    public static void Kill(Process p)
    {
        try
        {
            if (!p.HasExited) p.Kill();
            p.WaitForExit(5000);
        }
        catch (InvalidOperationException) { } // already gone
    }

    /// <summary>SIGTERM by PID so the program can clean up; SIGKILL if it has not exited within <paramref name="grace"/>.</summary>
    public static async Task TerminateAsync(Process p, TimeSpan grace)
    {
        try
        {
            if (p.HasExited) return;
            await RunAsync("kill", ["-TERM", p.Id.ToString()], timeout: TimeSpan.FromSeconds(5));
            using var cts = new CancellationTokenSource(grace);
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException) { Kill(p); }
        catch (InvalidOperationException) { } // already gone
    }
}
