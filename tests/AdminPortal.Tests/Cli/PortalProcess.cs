using System.Collections.Concurrent;
using System.Diagnostics;

namespace AdminPortal.Tests.Cli;

/// <summary>
/// The real built portal executable (<c>dotnet AdminPortal.dll</c>) as a child process, with a clean
/// environment: only the settings a test gives it. Output is collected line by line; disposing kills it by PID.
/// </summary>
public sealed class PortalProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static string Dll { get; } = FindDll();
    public int Pid => _process.Id;
    public string StdOut => string.Join('\n', _stdout);
    public string StdErr => string.Join('\n', _stderr);
    public IReadOnlyList<string> StdOutLines => [.. _stdout];

    private PortalProcess(IEnumerable<string> args, IReadOnlyDictionary<string, string> env)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Dll)!,
        };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var key in psi.Environment.Keys.Where(k =>
                     k.StartsWith("ConnectionStrings", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Portal__", StringComparison.OrdinalIgnoreCase) ||
                     k.StartsWith("Audit__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) ||
                     k.Equals("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)).ToList())
            psi.Environment.Remove(key);
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        foreach (var (k, v) in SecretsScan.ScanArtifacts.LogSettings("process")) psi.Environment[k.Replace(":", "__")] = v;
        foreach (var (k, v) in env) psi.Environment[k] = v;
        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) => { if (e.Data is null) _stdoutClosed.TrySetResult(); else _stdout.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is null) _stderrClosed.TrySetResult(); else _stderr.Enqueue(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static PortalProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string> env) => new(args, env);

    /// <summary>Runs a command to completion (bounded) and returns its exit code; the process is killed if it overruns.</summary>
    public static async Task<PortalProcess> RunAsync(IReadOnlyDictionary<string, string> env, params string[] args)
    {
        var p = new PortalProcess(args, env);
        try
        {
            await p.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            await p.DisposeAsync();
        }
        return p;
    }

    private int? _exitCode;
    public int ExitCode => _exitCode ?? throw new InvalidOperationException("The process has not been waited for.");

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(TimeSpan.FromSeconds(10));
            _exitCode = _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"AdminPortal {Pid} did not exit within {timeout}.\nstdout:\n{StdOut}\nstderr:\n{StdErr}");
        }
        return _exitCode.Value;
    }

    /// <summary>Waits (bounded) for a stdout line that matches, failing early if the process exits.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_stdout.FirstOrDefault(match) is { } line) return line;
            if (_process.HasExited)
            {
                await Task.WhenAny(_stdoutClosed.Task, Task.Delay(2000));
                return _stdout.FirstOrDefault(match) ?? throw new InvalidOperationException(
                    $"AdminPortal exited ({_process.ExitCode}) before the expected line.\nstdout:\n{StdOut}\nstderr:\n{StdErr}");
            }
            await Task.WhenAny(_process.WaitForExitAsync(), Task.Delay(100));
        }
        throw new TimeoutException($"No matching line within {timeout}.\nstdout:\n{StdOut}\nstderr:\n{StdErr}");
    }

    /// <summary>Asks the process to stop as a service manager would (SIGTERM to its PID).</summary>
    public void Terminate() => AdminPortal.Testing.Processes.Signal("TERM", Pid);

    public ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // exited meanwhile
        }
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static string FindDll()
    {
        var here = Path.Combine(AppContext.BaseDirectory, "AdminPortal.dll");
        if (File.Exists(here) && File.Exists(Path.Combine(AppContext.BaseDirectory, "AdminPortal.runtimeconfig.json"))) return here;
        throw new FileNotFoundException("AdminPortal.dll (with its runtimeconfig) is not beside the tests in " + AppContext.BaseDirectory);
    }
}
