using System.Globalization;
using System.Text;

namespace AdminPortal.Load;

/// <summary>The circuit run's findings as Markdown tables (memory per circuit, latencies idle and under load, errors).</summary>
public static class Report
{
    public sealed record Run(int Circuits, int Users, int Parallel, TimeSpan OpenTime, IReadOnlyList<MemorySample> Samples,
        Latencies[] Idle, Latencies[] IdleAfter, Latencies[] Loaded, Latencies[] Busy, IReadOnlyList<TimeSpan> SearchRounds,
        IReadOnlyList<string> Errors, int ConsoleErrors, IReadOnlyList<string> ConsoleSamples, int ActiveCircuits, int ConnectedCircuits);

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture);
    private static string Kib(double bytes) => (bytes / 1024.0).ToString("F0", CultureInfo.InvariantCulture);
    private static string F(double v, string f = "F1") => v.ToString(f, CultureInfo.InvariantCulture);

    public static string Markdown(Run r)
    {
        var md = new StringBuilder();
        var idle = r.Samples[0];
        md.AppendLine("| portal process | RSS (MiB) | live managed heap after a full GC (MiB) | circuits in memory / connected (Blazor's meter) | RSS per circuit vs idle | heap per circuit vs idle |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var s in r.Samples)
        {
            var n = s.Moment.StartsWith("after", StringComparison.Ordinal) || s == idle ? 0 : s.ActiveCircuits; // the circuits that did open
            md.AppendLine($"| {s.Moment} | {Mib(s.RssBytes)} | {Mib(s.GcHeapBytes)} | {s.ActiveCircuits} / {s.ConnectedCircuits} | " +
                          (n == 0 ? "| |" : $"{Kib((s.RssBytes - idle.RssBytes) / (double)n)} KiB | {Kib((s.GcHeapBytes - idle.GcHeapBytes) / (double)n)} KiB |"));
        }
        md.AppendLine();
        md.AppendLine($"| probe (ms: median / p95 / max) | idle, before | {r.Circuits} circuits connected | {r.Circuits} circuits searching | idle, after | " +
                      "ratio connected / idle (medians; idle = the faster of before and after) | ratio searching / idle |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        for (var i = 0; i < r.Idle.Length; i++)
        {
            string Cell(Latencies l) => $"{F(l.Median)} / {F(l.P95)} / {F(l.Max)} (n={l.Ms.Count})";
            var baseline = Math.Min(r.Idle[i].Median, r.IdleAfter[i].Median);
            md.AppendLine($"| {r.Idle[i].Probe} | {Cell(r.Idle[i])} | {Cell(r.Loaded[i])} | {Cell(r.Busy[i])} | {Cell(r.IdleAfter[i])} | " +
                          $"**{F(r.Loaded[i].Median / baseline, "F2")}** | **{F(r.Busy[i].Median / baseline, "F2")}** |");
        }
        md.AppendLine();
        var rounds = r.SearchRounds.Select(t => F(t.TotalSeconds)).ToList();
        md.AppendLine($"- {r.Circuits} circuits opened in {F(r.OpenTime.TotalSeconds)} s ({r.Parallel} at a time, each from page load until interactive with its figures); " +
                      $"while the probes ran under activity, every circuit searched a user and showed only that row, {r.SearchRounds.Count} round(s) of {r.Circuits} searches " +
                      $"({string.Join(", ", rounds)} s each, {r.Parallel} at a time).");
        md.AppendLine($"- Circuits at the end of the load, as Blazor counts them: {r.ActiveCircuits} in memory, {r.ConnectedCircuits} connected (the {r.Circuits} plus any probe circuit not yet released).");
        md.AppendLine($"- Errors: **{r.Errors.Count}** failed steps (a circuit that did not start, did not show its data or did not answer a search), {r.ConsoleErrors} browser console errors{(r.ConsoleSamples.Count > 0 ? ", the first: " + string.Join(" · ", r.ConsoleSamples.Select(c => $"`{c.Replace('`', '\'')}`")) : "")}.");
        foreach (var e in r.Errors.Take(20)) md.AppendLine($"  - {e}");
        return md.ToString();
    }
}
