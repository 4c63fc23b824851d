using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Testing;
using Npgsql;

namespace AdminPortal.Benchmarks;

public sealed record PkiApiRow(int Clients, double PerSecond, double P50Ms, double P99Ms, double PortalCpuMsPerCertificate);

public sealed record PkiApiResult(
    int CertificatesPerRun, int Runs, IReadOnlyList<PkiApiRow> Rows, double EasyRsaPerSecond, int EasyRsaCertificates,
    long IssuedInDatabase, long DistinctSerials, long AuditEvents, int Failures, string PostgresSettings);

/// <summary>
/// P-256 client issuance end to end: N concurrent HTTP clients POST /api/v1/vpn-users (a bearer token of the Admin
/// role, made with the portal's `token create`) to the real portal process, which generates the key, signs, stores
/// the certificate and its encrypted key, and appends the audit event in the same transaction, on PostgreSQL with
/// fsync=on and synchronous_commit=on. Runs per client count interleave with easy-rsa build-client-full.
/// </summary>
public sealed class PkiApiBenchmark(PostgresCluster cluster, string portalDll)
{
    public async Task<PkiApiResult> MeasureAsync(PkiEasyRsa easyRsa, int[] clientCounts, int certificatesPerRun, int runs, int easyRsaPerRun)
    {
        cluster.Execute("CREATE ROLE portal_app NOLOGIN; CREATE ROLE portal LOGIN PASSWORD 'portal' IN ROLE portal_app;");
        cluster.Execute("CREATE DATABASE bench_portal");
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

        var failures = 0;
        var serials = new HashSet<string>();
        var prefix = 0;
        async Task<(double PerSecond, List<double> Latencies, double CpuMs)> RunAsync(int clients, int count)
        {
            var run = prefix++;
            var next = -1;
            var latencies = new List<double>[clients];
            var found = new List<string>[clients];
            var cpu = portal.CpuTime;
            var sw = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
            {
                latencies[c] = [];
                found[c] = [];
                using var http = Client(portal, token);
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    var t = Stopwatch.StartNew();
                    using var r = await http.PostAsJsonAsync("/api/v1/vpn-users", new { name = $"user-{run}-{i}" });
                    var body = await r.Content.ReadAsStringAsync();
                    latencies[c].Add(t.Elapsed.TotalMilliseconds);
                    if (r.StatusCode != HttpStatusCode.Created)
                    {
                        if (Interlocked.Increment(ref failures) <= 3) Console.WriteLine($"  POST /api/v1/vpn-users: {(int)r.StatusCode} {body}");
                        continue;
                    }
                    found[c].Add(JsonDocument.Parse(body).RootElement.GetProperty("serial").GetString()!);
                }
            })));
            var seconds = sw.Elapsed.TotalSeconds;
            var cpuMs = (portal.CpuTime - cpu).TotalMilliseconds / count;
            foreach (var f in found) serials.UnionWith(f);
            return (count / seconds, latencies.SelectMany(l => l).Order().ToList(), cpuMs);
        }

        foreach (var c in clientCounts) await RunAsync(c, Math.Max(100, certificatesPerRun / 5)); // warm-up: JIT, pools, plans
        var results = clientCounts.ToDictionary(c => c, _ => new List<(double PerSecond, List<double> Latencies, double CpuMs)>());
        for (var r = 0; r < runs; r++)
        {
            foreach (var c in clientCounts)
            {
                var x = await RunAsync(c, certificatesPerRun);
                results[c].Add(x);
                Console.WriteLine($"  API run {r + 1}, {c} clients: {x.PerSecond:F0}/s, p50 {Pct(x.Latencies, 0.5):F1} ms, portal CPU {x.CpuMs:F2} ms/cert (load {PkiProcess.LoadAverage()})");
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
        var rows = clientCounts.Select(c =>
        {
            var best = results[c].OrderBy(x => x.PerSecond).ElementAt(results[c].Count / 2); // the median run
            return new PkiApiRow(c, best.PerSecond, Pct(best.Latencies, 0.5), Pct(best.Latencies, 0.99), best.CpuMs);
        }).ToList();
        var settings = $"fsync={cluster.Setting("fsync")}, synchronous_commit={cluster.Setting("synchronous_commit")}";
        return new PkiApiResult(certificatesPerRun, runs, rows, easyRsa.PerSecond, easyRsa.All.Count, issued, serials.Count, audit, failures, settings);
    }

    private static HttpClient Client(PkiPortal portal, string token)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = portal.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static double Pct(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}
