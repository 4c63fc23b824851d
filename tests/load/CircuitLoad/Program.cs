using System.Diagnostics;
using System.Globalization;
using AdminPortal.Load;
using Microsoft.Playwright;

// Driven by tests/load/circuit-load.sh against a running portal (see there). Writes its findings as Markdown to --out.
var inv = CultureInfo.InvariantCulture;
string Arg(string name, string? fallback = null) =>
    args.SkipWhile(a => a != $"--{name}").Skip(1).FirstOrDefault() ?? fallback ?? throw new ArgumentException($"--{name} is required");
var portalUrl = new Uri(Arg("portal"));
var pid = int.Parse(Arg("pid"), inv);
var circuits = int.Parse(Arg("circuits", "200"), inv);
var users = int.Parse(Arg("users", "1000"), inv);
var parallel = int.Parse(Arg("parallel", "8"), inv);
var work = Arg("work");
var ct = CancellationToken.None;
var clock = Stopwatch.StartNew();
void Log(string m) => Console.Error.WriteLine($"[circuits {clock.Elapsed:mm\\:ss}] {m}");

var portal = new PortalClient(portalUrl, Arg("admin-token"));
using var memory = new PortalMemory(pid, Arg("tools"), work);
await memory.StartCountersAsync();

Log($"seeding {users} VPN users through the API");
await portal.SeedVpnUsersAsync(users, parallel, ct);
Log($"creating {circuits + 1} operators: invite, setup link, enrolment, then a real login each");
string[] roles = ["Helpdesk", "SecurityLead", "Admin"];
var ops = new LoadOperator[circuits + 1];
await Parallel.ForAsync(0, ops.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, c) =>
    ops[i] = await portal.CreateOperatorAsync($"load-op-{i:000}@example.test", roles[i % roles.Length], c));
var prober = ops[^1];
var fleetOps = ops[..^1];

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = "/usr/bin/chromium", Headless = true, Args = CircuitFleet.ChromiumArgs,
});
var fleet = new CircuitFleet(browser, portalUrl, ops.Length, users, work);
var probes = new Probes(portal, prober, fleet);
async Task<Latencies[]> ProbeAllAsync() => [await probes.HealthAsync(200, ct), await probes.DashboardHtmlAsync(40, ct), await probes.NewCircuitAsync(5)];

Log("warming up (not measured): every probe once over");
await ProbeAllAsync();
var idle = await ProbeAllAsync();
await memory.NoCircuitsAsync(TimeSpan.FromSeconds(30)); // a closed page's circuit is mostly released at once; one left is counted
var samples = new List<MemorySample> { await memory.SampleAsync("idle: no circuit (after the warm-up)", 0) };
Log($"idle: {samples[^1]}");

Log($"opening {circuits} circuits on the dashboard, {parallel} at a time");
var sw = Stopwatch.StartNew();
await fleet.OpenDashboardsAsync(fleetOps, parallel, ct);
var openTime = sw.Elapsed;
samples.Add(await memory.SampleAsync($"{fleet.Open} circuits on the dashboard", fleet.Open));
Log($"{samples[^1]}, errors {fleet.Errors.Count}");

Log("every circuit to the VPN users list (navigation inside the circuit)");
await fleet.ToUsersListAsync(parallel, ct);
samples.Add(await memory.SampleAsync($"{fleet.Open} circuits on the VPN users list", fleet.Open));
Log($"{samples[^1]}, errors {fleet.Errors.Count}");

Log("probes with the circuits connected and idle");
var loaded = await ProbeAllAsync();
Log("probes while every circuit searches, round after round");
using var stopSearching = new CancellationTokenSource();
var rounds = new List<TimeSpan>();
var searching = Task.Run(async () =>
{
    while (!stopSearching.IsCancellationRequested) rounds.Add(await fleet.SearchRoundAsync(parallel, ct));
});
var busy = await ProbeAllAsync();
stopSearching.Cancel();
await searching;
var (activeWithFleet, connectedWithFleet) = memory.Circuits();
var errors = fleet.Errors.ToList();
var consoleErrors = fleet.ConsoleErrors;
Log($"search rounds: {rounds.Count}, errors {errors.Count}, console errors {consoleErrors}; circuits active {activeWithFleet}, connected {connectedWithFleet}");

Log("closing every page; waiting for the portal to let go of the circuits");
await fleet.DisposeAsync();
var released = await memory.NoCircuitsAsync(TimeSpan.FromMinutes(5)); // one not ended by its page is kept 3 minutes for a reconnect
samples.Add(await memory.SampleAsync($"after the pages closed ({released.TotalSeconds:F0} s until every circuit was released)", 0));
Log($"{samples[^1]}");
Log("probes idle again (a second baseline, on a fully warmed portal)");
var idleAfter = await ProbeAllAsync();

await File.WriteAllTextAsync(Arg("out"), Report.Markdown(new Report.Run(circuits, users, parallel, openTime, samples, idle, idleAfter, loaded, busy, rounds,
    errors, consoleErrors, fleet.ConsoleSamples, activeWithFleet, connectedWithFleet)));
Log($"wrote {Arg("out")}");
return errors.Count == 0 && activeWithFleet >= circuits ? 0 : 1;
