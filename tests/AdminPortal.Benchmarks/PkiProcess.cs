using System.Diagnostics;

namespace AdminPortal.Benchmarks;

/// <summary>Runs another program (openssl, easy-rsa, the portal's CLI) to completion and times it from start to exit.</summary>
public static class PkiProcess
{
    public sealed record Outcome(int Exit, string Output, double Seconds);

    public static Outcome Run(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null, string? workDir = null, int timeoutSeconds = 600)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workDir is not null) psi.WorkingDirectory = workDir;
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeoutSeconds} s");
        }
        p.WaitForExit();
        sw.Stop();
        return new Outcome(p.ExitCode, stdout.Result + stderr.Result, sw.Elapsed.TotalSeconds);
    }

    public static Outcome Check(Outcome o, string what) =>
        o.Exit == 0 ? o : throw new InvalidOperationException($"{what} failed ({o.Exit}): {o.Output}");

    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]);

    public static double Median(IEnumerable<double> xs) => AppendBenchmark.Median(xs.ToList());
}
