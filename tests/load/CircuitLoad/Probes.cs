using System.Diagnostics;

namespace AdminPortal.Load;

/// <summary>Latencies in ms of one kind of probe, taken one after the other.</summary>
public sealed record Latencies(string Probe, IReadOnlyList<double> Ms)
{
    public double Median => Percentile(0.5);
    public double P95 => Percentile(0.95);
    public double Max => Ms.Max();

    private double Percentile(double p)
    {
        var sorted = Ms.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }
}

/// <summary>
/// What an operator notices: the health probe, a server-rendered page with its data (the dashboard, signed in),
/// and a new circuit from page load to the VPN users list showing its rows. Measured idle and under load.
/// </summary>
public sealed class Probes(PortalClient portal, LoadOperator prober, CircuitFleet fleet)
{
    public async Task<Latencies> HealthAsync(int n, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = portal.Portal };
        return await TimeAsync("GET /healthz", n, async () => (await http.GetAsync("/healthz", ct)).EnsureSuccessStatusCode());
    }

    public async Task<Latencies> DashboardHtmlAsync(int n, CancellationToken ct)
    {
        using var http = portal.Browser(prober.Session);
        return await TimeAsync("GET / (dashboard, server-rendered with its figures)", n, async () =>
        {
            var html = await http.GetStringAsync("/", ct);
            if (!html.Contains("fig-operators", StringComparison.Ordinal)) throw new InvalidOperationException("the dashboard came without its figures");
        });
    }

    public async Task<Latencies> NewCircuitAsync(int n)
    {
        var ms = new List<double>();
        for (var i = 0; i < n; i++)
        {
            var page = await fleet.NewPageAsync(prober, track: false);
            var sw = Stopwatch.StartNew();
            await page.GotoAsync(fleet.Url(prober, "/vpn-users"));
            await fleet.UsersShownAsync(page);
            ms.Add(sw.Elapsed.TotalMilliseconds);
            await CircuitFleet.ClosePageAsync(page);
        }
        return new Latencies("new circuit: load /vpn-users until its 25 rows show", ms);
    }

    private static async Task<Latencies> TimeAsync(string name, int n, Func<Task> probe)
    {
        var ms = new List<double>();
        for (var i = 0; i < n; i++)
        {
            var sw = Stopwatch.StartNew();
            await probe();
            ms.Add(sw.Elapsed.TotalMilliseconds);
        }
        return new Latencies(name, ms);
    }
}
