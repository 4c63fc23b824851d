using System.Diagnostics;

namespace AdminPortal.Tests.Pki;

/// <summary>Runs the openssl command line (someone else's code) on PEM files in a temp folder.</summary>
public sealed class OpenSsl : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("adminportal-openssl-").FullName;

    public string Write(string name, string content)
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Exit code and combined output of <c>openssl ARGS</c>.</summary>
    public (int Exit, string Output) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Dir };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000)) { p.Kill(true); throw new TimeoutException("openssl timed out"); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }
}
