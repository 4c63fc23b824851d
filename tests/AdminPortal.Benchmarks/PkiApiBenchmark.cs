using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Testing;
using Npgsql;

namespace AdminPortal.Benchmarks;

/// <summary>One measured run: throughput, latencies, and CPU per request of the portal, PostgreSQL and the load generator.</summary>
public sealed record PkiApiRow(int Clients, double PerSecond, double P50Ms, double P99Ms, double PortalCpuMs, double PostgresCpuMs, double ClientCpuMs, double PortalJitCpuMs)
{
    public double TotalCpuMs => PortalCpuMs + PostgresCpuMs + ClientCpuMs;
}

public sealed record PkiApiResult(
    int CertificatesPerRun, int Runs, IReadOnlyList<PkiApiRow> Rows, IReadOnlyList<(string Request, PkiApiRow Row)> References,
    double EasyRsaPerSecond, int EasyRsaCertificates, long IssuedInDatabase, long DistinctSerials, long AuditEvents, int Failures, string PostgresSettings);

/// <summary>
/// P-256 client issuance end to end: N concurrent HTTP clients POST /api/v1/vpn-users (a bearer token of the Admin
/// role, made with the portal's `token create`) to the real portal process, which generates the key, signs, stores
/// the certificate and its encrypted key, and appends the audit event in the same transaction, on PostgreSQL with
/// fsync=on and synchronous_commit=on. Runs per client count interleave with easy-rsa build-client-full. Reference
/// requests (GET /healthz: HTTP and one SELECT; GET /api/v1/me: HTTP and the bearer token check) break the CPU down.
/// </summary>
public sealed class PkiApiBenchmark(PostgresCluster cluster, string portalDll)
{
    private const string Jit = ".NET Tiered Com"; // the tiered compilation thread's name, cut to 15 characters by Linux
    private int _failures;
    private readonly HashSet<string> _serials = [];

    public async Task<PkiApiResult> MeasureAsync(PkiEasyRsa easyRsa, int[] clientCounts, int certificatesPerRun, int runs, int easyRsaPerRun)
    {
        cluster.CreatePortalRoles("bench_portal");
        var appCs = cluster.ConnectionString("bench_portal", "portal", "portal", maxPoolSize: 100);
        var superCs = cluster.ConnectionString("bench_portal");
        using var portal = new PkiPortal(portalDll, appCs, superCs);
        await portal.WaitHealthyAsync(TimeSpan.FromSeconds(90));
        var token = portal.Cli("token", "create", "--name", "bench", "--role", "Admin").Output.Trim().Split('\n')[^1].Trim();
        Console.WriteLine($"  portal pid {portal.Pid} on port {portal.Port}; token created by the CLI");

        using (var admin = Client(portal, token))
        {
            var ca = await admin.PostAsJsonAsync("/api/v1/ca", new { name = "bench-vpn-ca", keyAlgorithm = "ecdsa-p256" });
            if (ca.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"POST /api/v1/ca: {(int)ca.StatusCode} {await ca.Content.ReadAsStringAsync()}");
        }

        Task<PkiApiRow> Reference(string path, int count) => RunAsync(portal, token, clientCounts.Length > 1 ? clientCounts[1] : clientCounts[0], count, async (http, _) =>
        {
            using var resp = await http.GetAsync(path[4..]);
            return resp.StatusCode == HttpStatusCode.OK || Fail(path, resp, await resp.Content.ReadAsStringAsync());
        });
        var prefix = 0;
        Task<PkiApiRow> Issue(int clients, int count)
        {
            var run = prefix++;
            return RunAsync(portal, token, clients, count, async (http, i) =>
            {
                using var r = await http.PostAsJsonAsync("/api/v1/vpn-users", new { name = $"user-{run}-{i}" });
                var body = await r.Content.ReadAsStringAsync();
                if (r.StatusCode != HttpStatusCode.Created) return Fail("POST /api/v1/vpn-users", r, body);
                var serial = JsonDocument.Parse(body).RootElement.GetProperty("serial").GetString()!;
                lock (_serials) _serials.Add(serial);
                return true;
            });
        }

        var results = clientCounts.ToDictionary(c => c, _ => new List<PkiApiRow>());
        var references = new Dictionary<string, List<PkiApiRow>> { ["GET /healthz"] = [], ["GET /api/v1/me"] = [] };
        var referenceClients = clientCounts.Length > 1 ? clientCounts[1] : clientCounts[0];
        // Warm-up until the JIT has finished: tiered compilation recompiles hot code in the background for a while
        // (on this loaded machine it took a third of the portal's CPU during the first thousands of requests).
        for (var w = 0; w < 10; w++)
        {
            var x = await Issue(referenceClients, Math.Max(200, certificatesPerRun / 2));
            foreach (var path in references.Keys) await Reference(path, 400);
            Console.WriteLine($"  warm-up {w + 1}: {x.PerSecond:F0}/s, JIT thread {x.PortalJitCpuMs:F2} ms of {x.PortalCpuMs:F2} ms portal CPU per certificate");
            if (x.PortalJitCpuMs < 0.02 * x.PortalCpuMs) break;
        }
        for (var r = 0; r < runs; r++)
        {
            foreach (var c in clientCounts)
            {
                var x = await Issue(c, certificatesPerRun);
                results[c].Add(x);
                Console.WriteLine($"  API run {r + 1}, {c} clients: {x.PerSecond:F0}/s, p50 {x.P50Ms:F1} ms, CPU ms/cert portal {x.PortalCpuMs:F2} " +
                                  $"(JIT {x.PortalJitCpuMs:F2}) postgres {x.PostgresCpuMs:F2} client {x.ClientCpuMs:F2} (load {PkiProcess.LoadAverage()})");
            }
            foreach (var (path, list) in references)
            {
                var x = await Reference(path, certificatesPerRun * 2);
                list.Add(x);
                Console.WriteLine($"  {path}, {referenceClients} clients: {x.PerSecond:F0}/s, CPU ms/request portal {x.PortalCpuMs:F2} postgres {x.PostgresCpuMs:F2} client {x.ClientCpuMs:F2}");
            }
            var e = easyRsa.BuildClients(easyRsaPerRun);
            Console.WriteLine($"  easy-rsa: {e.Count / e.Sum():F2}/s");
        }

        long issued, audit;
        await using (var db = NpgsqlDataSource.Create(superCs))
        {
            await using var c1 = db.CreateCommand("SELECT count(*) FROM certificates");
            issued = (long)(await c1.ExecuteScalarAsync())!;
            await using var c2 = db.CreateCommand("SELECT count(*) FROM audit_events WHERE action = 'pki.certificate.issued'");
            audit = (long)(await c2.ExecuteScalarAsync())!;
        }
        var rows = clientCounts.Select(c => MedianRun(results[c])).ToList();
        var refs = references.Select(kv => (kv.Key, MedianRun(kv.Value))).ToList();
        var settings = $"fsync={cluster.Setting("fsync")}, synchronous_commit={cluster.Setting("synchronous_commit")}";
        return new PkiApiResult(certificatesPerRun, runs, rows, refs, easyRsa.PerSecond, easyRsa.All.Count, issued, _serials.Count, audit, _failures, settings);
    }

    private static PkiApiRow MedianRun(List<PkiApiRow> runs) => runs.OrderBy(x => x.PerSecond).ElementAt(runs.Count / 2);

    /// <summary><paramref name="count"/> requests from <paramref name="clients"/> keep-alive clients; CPU of each party divided by the requests.</summary>
    private async Task<PkiApiRow> RunAsync(PkiPortal portal, string token, int clients, int count, Func<HttpClient, int, Task<bool>> request)
    {
        var next = -1;
        var latencies = new List<double>[clients];
        var (portalCpu, pgCpu, selfCpu, jitCpu) = (portal.CpuTime, PkiCpu.Postgres(cluster.DataDirectory), PkiCpu.Self(), PkiCpu.Threads(portal.Pid, Jit));
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            latencies[c] = [];
            using var http = Client(portal, token);
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var t = Stopwatch.StartNew();
                await request(http, i);
                latencies[c].Add(t.Elapsed.TotalMilliseconds);
            }
        })));
        var seconds = sw.Elapsed.TotalSeconds;
        double PerRequest(TimeSpan now, TimeSpan before) => (now - before).TotalMilliseconds / count;
        var sorted = latencies.SelectMany(l => l).Order().ToList();
        return new PkiApiRow(clients, count / seconds, Pct(sorted, 0.5), Pct(sorted, 0.99),
            PerRequest(portal.CpuTime, portalCpu), PerRequest(PkiCpu.Postgres(cluster.DataDirectory), pgCpu), PerRequest(PkiCpu.Self(), selfCpu),
            PerRequest(PkiCpu.Threads(portal.Pid, Jit), jitCpu));
    }

    private bool Fail(string what, HttpResponseMessage r, string body)
    {
        if (Interlocked.Increment(ref _failures) <= 3) Console.WriteLine($"  {what}: {(int)r.StatusCode} {body}");
        return false;
    }

    private static HttpClient Client(PkiPortal portal, string token)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = portal.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static double Pct(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}
