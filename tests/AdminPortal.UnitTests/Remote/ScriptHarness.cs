using System.Diagnostics;
using System.Text;
using AdminPortal.Web.Remote;

namespace AdminPortal.UnitTests.Remote;

/// <summary>What a script run under the local <c>sh</c> printed and how it ended.</summary>
public sealed record LocalRun(int Exit, string Stdout, string Stderr)
{
    public ScriptExit? Code => ScriptExits.Of(Exit);
}

/// <summary>
/// Runs an embedded <see cref="HostScript"/> the way a host does (<c>sh -c TEXT NAME ARGS...</c>, stdin closed after the
/// given bytes), as this process's user, bounded by a timeout; the process is killed by its PID if it overruns.
/// </summary>
public static class ScriptHarness
{
    public static async Task<LocalRun> RunAsync(string script, IReadOnlyList<string> args, string? stdin = null, string? workDir = null)
    {
        var psi = new ProcessStartInfo("sh")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = workDir ?? Path.GetTempPath(),
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(HostScript.Load(script).Text);
        psi.ArgumentList.Add("adminportal-" + script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            if (stdin is not null) await p.StandardInput.BaseStream.WriteAsync(Encoding.UTF8.GetBytes(stdin));
            p.StandardInput.Close();
        }
        catch (IOException)
        {
            // A script that refuses its arguments exits before it reads stdin (broken pipe): its exit code says why.
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(entireProcessTree: true); throw new TimeoutException($"{script} did not finish within 60 s"); }
        return new LocalRun(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>A temporary folder, removed on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("ap-unit-").FullName;
        public string this[string name] => System.IO.Path.Combine(Path, name);
        public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
    }
}
