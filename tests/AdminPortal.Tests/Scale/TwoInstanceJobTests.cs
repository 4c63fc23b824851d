using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using AdminPortal.Testing;
using AdminPortal.Web.Jobs;
using Xunit.Abstractions;

namespace AdminPortal.Tests.Scale;

/// <summary>
/// Every scheduled job runs once per period across two portal processes on one database: with 3-second periods, until
/// every job has run at least three times (read from both instances' logs, not guessed from a wait), the claims both
/// instances log for a job are at least a period apart, and the audit checkpoints (the job with a side effect here) match them one for one: one event,
/// one signed file on the shared volume, per run.
/// </summary>
[Collection(TwoPortals.Collection)]
public sealed partial class TwoInstanceJobTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(3);
    private const int Runs = 3;

    /// <summary>The setting that gives each job its period. A new job must be listed here, or the test fails.</summary>
    private static readonly Dictionary<string, string> PeriodSettings = new()
    {
        ["audit.checkpoint"] = "Audit__CheckpointInterval",
        ["pki.crl.refresh"] = "Pki__CrlRefreshPeriod",
        ["notifications.expiry"] = "Notifications__ExpiryCheckPeriod",
        ["vpnservers.crl.monitor"] = "VpnServers__CrlMonitorPeriod",
    };

    [GeneratedRegex(@"Scheduled job (\S+) claimed at (\S+) by (\S+)")]
    private static partial Regex ClaimLine();

    private sealed record Claim(string Job, DateTimeOffset At, string Instance);

    [Fact]
    public async Task Every_scheduled_job_runs_once_per_period_across_two_instances()
    {
        var jobs = ScheduledJobs();
        Assert.Equal(PeriodSettings.Keys.Order(), jobs.Keys.Order());
        var settings = new Dictionary<string, string>();
        foreach (var (name, type) in jobs)
        {
            settings[PeriodSettings[name]] = Period.ToString();
            settings[$"Serilog__MinimumLevel__Override__{type.FullName}"] = "Debug"; // the claim lines
        }

        await using var portals = await TwoPortals.StartAsync(settings);
        await Eventually.Async(() => Claims(portals.A.StdOutLines).Concat(Claims(portals.B.StdOutLines)).ToList(),
            claims => jobs.Keys.All(name => claims.Count(c => c.Job == name) >= Runs), $"every job claimed {Runs} times", TimeSpan.FromMinutes(3));
        await portals.StopAsync();

        var claims = Claims(portals.A.StdOutLines).Concat(Claims(portals.B.StdOutLines)).ToList();
        foreach (var name in jobs.Keys)
        {
            var runs = claims.Where(c => c.Job == name).OrderBy(c => c.At).ToList();
            var gaps = runs.Zip(runs.Skip(1), (x, y) => y.At - x.At).ToList();
            output.WriteLine($"{name}: {runs.Count} runs ({runs.Count(r => r.Instance == runs[0].Instance)} on one instance, " +
                             $"{runs.Count(r => r.Instance != runs[0].Instance)} on the other); shortest gap {(gaps.Count > 0 ? gaps.Min().TotalSeconds : 0):F2} s");
            Assert.True(runs.Count >= Runs, $"{name} ran {runs.Count} times");
            Assert.All(gaps, g => Assert.True(g >= Period, $"{name} ran twice within {g} (period {Period})"));
        }
        var byInstance = claims.GroupBy(c => c.Instance).Select(g => $"{g.Key}: {g.Count()}").ToList();
        output.WriteLine("claims by instance: " + string.Join(", ", byInstance));

        // The checkpoint job's runs and their effects, one for one (a run cut short by the stop signs nothing).
        var checkpointRuns = claims.Count(c => c.Job == "audit.checkpoint");
        var signed = portals.A.StdOutLines.Concat(portals.B.StdOutLines).Count(l => l.Contains("Signed audit checkpoint at sequence"));
        var events = await portals.ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'audit.checkpoint.created'");
        var files = Directory.GetFiles(Path.Combine(portals.DataDirectory, "audit-checkpoints"), "checkpoint-*.json").Length;
        output.WriteLine($"audit.checkpoint: {checkpointRuns} claims, {signed} signed, {events} events, {files} files");
        Assert.Equal(signed, events);
        Assert.Equal(signed, files);
        Assert.InRange(signed, checkpointRuns - 2, checkpointRuns);

        // job_runs holds one row per job, last claimed when the logs say.
        foreach (var name in jobs.Keys)
        {
            var last = await portals.ScalarAsync<DateTime>($"SELECT \"LastRunAt\" FROM job_runs WHERE \"Name\" = '{name}'");
            Assert.Equal(claims.Where(c => c.Job == name).Max(c => c.At).UtcDateTime, last, TimeSpan.FromMilliseconds(1));
        }
    }

    /// <summary>Every concrete <see cref="ScheduledJob"/> in the portal, by its job name.</summary>
    private static Dictionary<string, Type> ScheduledJobs() =>
        typeof(ScheduledJob).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(ScheduledJob)) && !t.IsAbstract)
            .ToDictionary(t => (string)t.GetProperty("Name", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(RuntimeHelpers.GetUninitializedObject(t))!);

    private static IEnumerable<Claim> Claims(IEnumerable<string> lines) =>
        lines.Select(l => ClaimLine().Match(l)).Where(m => m.Success)
            .Select(m => new Claim(m.Groups[1].Value, DateTimeOffset.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), m.Groups[3].Value));
}
