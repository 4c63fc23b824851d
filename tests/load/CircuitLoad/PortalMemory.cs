using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace AdminPortal.Load;

/// <summary>The portal process's memory at a moment: resident set and the managed heap live after a full collection.</summary>
public sealed record MemorySample(string Moment, long RssBytes, long GcHeapBytes, int ActiveCircuits, int ConnectedCircuits);

/// <summary>
/// Reads the portal's memory from outside: RSS from /proc, the live managed heap with dotnet-gcdump (which makes
/// the runtime do a full, blocking collection first), and Blazor's own circuit counts
/// (meter Microsoft.AspNetCore.Components.Server.Circuits) with dotnet-counters, collecting from the start.
/// </summary>
public sealed partial class PortalMemory(int pid, string tools, string work) : IDisposable
{
    private Process? _counters;
    private int _dumps;
    private readonly string _csv = Path.Combine(work, "counters.csv");

    [GeneratedRegex(@"^\s*([\d,]+)\s+GC Heap bytes", RegexOptions.Multiline)]
    private static partial Regex HeapBytes();

    /// <summary>Starts collecting the circuit counters: an up-down counter is only seen from when the listener attached.</summary>
    public async Task StartCountersAsync()
    {
        _counters = Run("dotnet-counters", ["collect", "-p", $"{pid}", "--refresh-interval", "1", "--format", "csv", "-o", _csv,
            "--counters", "Microsoft.AspNetCore.Components.Server.Circuits"], redirect: false);
        for (var i = 0; i < 100 && !File.Exists(_csv); i++) await Task.Delay(200);
    }

    public long Rss() =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
            CultureInfo.InvariantCulture) * 1024;

    /// <summary>Memory now; the circuit counts once they show <paramref name="circuits"/> (dotnet-counters writes every second), or after 15 s.</summary>
    public async Task<MemorySample> SampleAsync(string moment, int circuits)
    {
        var heap = await GcHeapAsync(moment);
        var sw = Stopwatch.StartNew();
        do await Task.Delay(1000); while (Circuits().Active != circuits && sw.Elapsed < TimeSpan.FromSeconds(15));
        var (active, connected) = Circuits();
        return new MemorySample(moment, Rss(), heap, active, connected);
    }

    /// <summary>Circuits in memory and circuits with a connected client, as Blazor counts them (last values written).</summary>
    public (int Active, int Connected) Circuits()
    {
        int active = 0, connected = 0;
        if (!File.Exists(_csv)) return (-1, -1); // dotnet-counters has not written its first values yet
        using var stream = new FileStream(_csv, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            var f = line.Split(',');
            if (f.Length < 5 || !double.TryParse(f[^1], CultureInfo.InvariantCulture, out var v)) continue;
            if (f[2].Contains("circuit.active", StringComparison.Ordinal)) active = (int)v;
            else if (f[2].Contains("circuit.connected", StringComparison.Ordinal)) connected = (int)v;
        }
        return (active, connected);
    }

    /// <summary>Waits (up to <paramref name="limit"/>) until Blazor holds no circuit; returns how long it waited.</summary>
    public async Task<TimeSpan> NoCircuitsAsync(TimeSpan limit)
    {
        var sw = Stopwatch.StartNew();
        while (Circuits().Active != 0 && sw.Elapsed < limit) await Task.Delay(1000);
        return sw.Elapsed;
    }

    /// <summary>The heap after a full GC; dotnet-gcdump's report (the biggest types) is kept as heap-N.txt in the work folder.</summary>
    private async Task<long> GcHeapAsync(string moment)
    {
        var dump = Path.Combine(work, $"heap-{Guid.NewGuid():N}.gcdump");
        using (var collect = Run("dotnet-gcdump", ["collect", "-p", $"{pid}", "-o", dump]))
            if (!await ExitedAsync(collect)) throw new InvalidOperationException("dotnet-gcdump collect failed: " + await collect.StandardError.ReadToEndAsync());
        using var report = Run("dotnet-gcdump", ["report", dump]);
        var text = await report.StandardOutput.ReadToEndAsync();
        await ExitedAsync(report);
        File.Delete(dump);
        await File.WriteAllTextAsync(Path.Combine(work, $"heap-{++_dumps}.txt"), moment + "\n" + text);
        var m = HeapBytes().Match(text);
        if (!m.Success) throw new InvalidOperationException("no heap total in dotnet-gcdump's report:\n" + text[..Math.Min(text.Length, 500)]);
        return long.Parse(m.Groups[1].Value.Replace(",", ""), CultureInfo.InvariantCulture);
    }

    private Process Run(string tool, string[] args, bool redirect = true)
    {
        var psi = new ProcessStartInfo(Path.Combine(tools, tool)) { RedirectStandardOutput = redirect, RedirectStandardError = redirect };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    private static async Task<bool> ExitedAsync(Process p)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(); return false; }
        return p.ExitCode == 0;
    }

    public void Dispose()
    {
        if (_counters is { HasExited: false }) _counters.Kill();
        _counters?.Dispose();
    }
}
