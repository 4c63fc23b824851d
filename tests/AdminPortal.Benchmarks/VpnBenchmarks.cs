using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using AdminPortal.Testing;
using AdminPortal.Tests.Peers;

namespace AdminPortal.Benchmarks;

/// <summary>
/// The `--vpn` mode: revocation to rejection with 3 VPN servers. The real portal process (Production, PostgreSQL with
/// fsync=on) manages 3 real OpenVPN 2.6 servers (each in its own network namespace, started from the profile's server
/// files) through 3 sshd on loopback. Per run a user is issued (CSR, key kept here), connected to every server, then
/// revoked through the API; measured from the request: (a) each client process exits (client-kill HALT), (b) a new
/// handshake with the same certificate is rejected ("certificate revoked") by every server. Baselines in the same run:
/// the revoke request alone, and one fresh SSH connection + `true` (what a naive per-server push pays at least).
/// Writes RESULTS-VPN.md.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static class VpnBenchmarks
{
    private sealed record Run(double RevokeMs, double[] KilledMs, double[] RejectedMs);

    public static async Task<int> RunAsync(string[] args, string root)
    {
        var inv = CultureInfo.InvariantCulture;
        int Arg(string name, int fallback) => args.SkipWhile(a => a != $"--{name}").Skip(1).FirstOrDefault() is { } v ? int.Parse(v, inv) : fallback;
        var runs = Arg("runs", 5);
        const int serverCount = 3;
        var loadStart = PkiProcess.LoadAverage();
        using var cluster = PostgresCluster.Start("adminportal-vpnbench", "fsync=on", "synchronous_commit=on", "full_page_writes=on");
        cluster.CreatePortalRoles("bench_portal");
        using var portal = new PkiPortal(PkiPortal.Dll(root), cluster.ConnectionString("bench_portal", "portal", "portal"), cluster.ConnectionString("bench_portal"));
        await portal.WaitHealthyAsync(TimeSpan.FromSeconds(90));
        var token = portal.Cli("token", "create", "--name", "bench", "--role", "Admin").Output.Trim().Split('\n')[^1].Trim();
        using var http = new HttpClient { BaseAddress = portal.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var labs = new List<OpenVpnLab>();
        var sshds = new List<SshdServer>();
        var results = new List<Run>();
        var sshBaseline = new List<double>();
        try
        {
            await Ok(await http.PostAsJsonAsync("/api/v1/ca", new { name = "bench-vpn-ca" }));
            await Ok(await http.PostAsJsonAsync("/api/v1/vpn-profiles", new { name = "corp", remoteHost = "127.0.0.1", port = OpenVpnLab.DefaultPort, protocol = "tcp" }));
            var credential = await Json(await http.PostAsJsonAsync("/api/v1/credentials", new { name = "bench" }));
            var files = ServerFiles(await http.GetByteArrayAsync("/api/v1/vpn-profiles/corp/server-files"));
            for (var i = 0; i < serverCount; i++)
            {
                var lab = await OpenVpnLab.StartFromServerFilesAsync(files);
                labs.Add(lab);
                var sshd = await SshdServer.StartAsync();
                sshds.Add(sshd);
                sshd.Authorize("root", credential.GetProperty("publicKey").GetString()!);
                var host = await Json(await http.PostAsJsonAsync("/api/v1/hosts",
                    new { name = $"vpnhost{i}", address = "127.0.0.1", port = sshd.Port, user = "root", credential = "bench" }));
                await Ok(await http.PostAsJsonAsync($"/api/v1/hosts/vpnhost{i}/trust", new { fingerprint = host.GetProperty("presentedFingerprint").GetString() }));
                await Ok(await http.PostAsJsonAsync("/api/v1/vpn-servers", new
                {
                    name = $"vpn{i}", host = $"vpnhost{i}", profile = "corp", configDir = lab.Directory, runMode = "daemon", managementSocket = lab.ManagementSocket,
                }));
                await Ok(await http.PostAsync($"/api/v1/vpn-servers/vpn{i}/crl", null)); // the portal's CRL on it, and the SSH pool open
            }
            var pids = labs.Select(l => l.ServerPid).ToArray();

            for (var run = 0; run <= runs; run++) // run 0 warms up (JIT, first revocation path) and is not reported
            {
                var (cert, key) = await IssueAsync(http, $"user{run}");
                var sessions = new List<VpnTestClient>();
                try
                {
                    foreach (var lab in labs) sessions.Add(await lab.StartSessionAsync(cert, key));
                    foreach (var s in sessions)
                        if (!s.Connected) throw new InvalidOperationException("client did not connect: " + s);

                    var clock = Stopwatch.StartNew();
                    var revoke = await http.PostAsJsonAsync($"/api/v1/vpn-users/user{run}/revoke", new { reason = "keyCompromise" });
                    var revokeMs = clock.Elapsed.TotalMilliseconds;
                    await Ok(revoke);
                    var killed = await Task.WhenAll(sessions.Select(async s =>
                    {
                        if (!await s.WaitExitAsync(TimeSpan.FromSeconds(30))) throw new InvalidOperationException("session not ended: " + s);
                        return clock.Elapsed.TotalMilliseconds;
                    }));
                    var rejected = await Task.WhenAll(labs.Select((lab, i) => RejectedAsync(lab, cert, key, clock, killed[i])));
                    if (run > 0) results.Add(new Run(revokeMs, killed, rejected));
                    Console.WriteLine(string.Create(inv, $"run {run}: revoke answered {revokeMs:F0} ms; sessions ended {string.Join(", ", killed.Select(k => $"{k:F0}"))} ms; " +
                                           $"rejected {string.Join(", ", rejected.Select(k => $"{k:F0}"))} ms"));
                }
                finally
                {
                    foreach (var s in sessions) await s.DisposeAsync();
                }
                sshBaseline.Add(SshRoundTripMs(sshds[run % serverCount]));
            }
            if (labs.Select(l => l.ServerPid).Where((pid, i) => pid != pids[i] || !labs[i].ServerRunning).Any())
                throw new InvalidOperationException("an OpenVPN server was restarted or died during the runs");
        }
        finally
        {
            foreach (var lab in labs) await lab.DisposeAsync();
            foreach (var s in sshds) await s.DisposeAsync();
        }
        Write(root, results, sshBaseline, serverCount, loadStart);
        return 0;
    }

    /// <summary>New handshakes with the revoked certificate until the server rejects it as revoked (bounded); ms since the revoke request.</summary>
    private static async Task<double> RejectedAsync(OpenVpnLab lab, string cert, string key, Stopwatch clock, double notBefore)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var c = await lab.ConnectAsync(cert, key, timeout: TimeSpan.FromSeconds(15));
            if (c.Rejected && c.Reason?.Contains("certificate revoked", StringComparison.Ordinal) == true) return Math.Max(clock.Elapsed.TotalMilliseconds, notBefore);
            if (c.Connected) continue; // the CRL was not there yet: try again
            throw new InvalidOperationException("unexpected outcome: " + c);
        }
        throw new InvalidOperationException("the revoked certificate was never rejected");
    }

    private static double SshRoundTripMs(SshdServer sshd)
    {
        var sw = Stopwatch.StartNew();
        var key = Path.Combine(Path.GetTempPath(), $"bench-ssh-{Guid.NewGuid():N}");
        PkiProcess.Check(PkiProcess.Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]), "ssh-keygen");
        sshd.Authorize("root", File.ReadAllText(key + ".pub"));
        sw.Restart();
        PkiProcess.Check(PkiProcess.Run("ssh", ["-i", key, "-p", sshd.Port.ToString(CultureInfo.InvariantCulture), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "root@127.0.0.1", "true"]), "ssh");
        var ms = sw.Elapsed.TotalMilliseconds;
        File.Delete(key);
        File.Delete(key + ".pub");
        return ms;
    }

    private static async Task<(string Cert, string Key)> IssueAsync(HttpClient http, string name)
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest($"CN={name}", ec, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        var issued = await Json(await http.PostAsJsonAsync("/api/v1/vpn-users", new { name, csr }));
        return (issued.GetProperty("certificatePem").GetString()!, ec.ExportPkcs8PrivateKeyPem());
    }

    private static Dictionary<string, string> ServerFiles(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip));
        return archive.Entries.ToDictionary(e => e.FullName, e => new StreamReader(e.Open(), Encoding.UTF8).ReadToEnd());
    }

    private static async Task Ok(HttpResponseMessage r)
    {
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"{r.RequestMessage?.Method} {r.RequestMessage?.RequestUri}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }

    private static async Task<JsonElement> Json(HttpResponseMessage r)
    {
        await Ok(r);
        return await r.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static void Write(string root, List<Run> runs, List<double> ssh, int servers, string loadStart)
    {
        var inv = CultureInfo.InvariantCulture;
        string Stats(IEnumerable<double> xs)
        {
            var l = xs.Order().ToList();
            return string.Create(inv, $"{l[0]:F0} / {PkiProcess.Median(l):F0} / {l[^1]:F0}");
        }
        var killedAll = runs.Select(r => r.KilledMs.Max()).ToList();
        var rejectedAll = runs.Select(r => r.RejectedMs.Max()).ToList();
        var md = new StringBuilder();
        md.AppendLine("# VPN revocation benchmark").AppendLine();
        md.AppendLine("Run with `dotnet run -c Release --project tests/AdminPortal.Benchmarks -- --vpn [--runs N]` (as root: network namespaces).");
        md.AppendLine($"The real portal process (Production, PostgreSQL 15 with fsync=on, synchronous_commit=on) manages {servers} real OpenVPN 2.6 servers,");
        md.AppendLine("each in its own network namespace started from the profile's server files, over 3 OpenSSH sshd on loopback (login as root).");
        md.AppendLine("Per run a new user (CSR) is connected to every server, then revoked with `POST /api/v1/vpn-users/{name}/revoke`; the clock starts");
        md.AppendLine("when the request is sent. *Session ended*: the client process exited (the portal's `client-kill ID HALT`). *Rejected*: a new");
        md.AppendLine("handshake with the same certificate fails on the server with `certificate revoked` (checked on every server). A warm-up run is not counted;");
        md.AppendLine("no OpenVPN server was restarted (same PIDs at the end). Root-only CA (no SIGHUP).").AppendLine();
        md.AppendLine(inv, $"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, " +
                           $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {loadStart} at the start, {PkiProcess.LoadAverage()} at the end (shared machine).").AppendLine();
        md.AppendLine($"## {runs.Count} runs, {servers} servers: min / median / max in ms").AppendLine();
        md.AppendLine("| measure | min / median / max |");
        md.AppendLine("|---|---:|");
        md.AppendLine($"| revoke request answered (CRL regenerated, audited, committed) | {Stats(runs.Select(r => r.RevokeMs))} |");
        md.AppendLine($"| every session ended (slowest of {servers} servers) | {Stats(killedAll)} |");
        md.AppendLine($"| every server rejects the certificate (slowest of {servers}) | {Stats(rejectedAll)} |");
        md.AppendLine($"| each server (all {runs.Count * servers} server-runs): session ended | {Stats(runs.SelectMany(r => r.KilledMs))} |");
        md.AppendLine($"| each server: rejected | {Stats(runs.SelectMany(r => r.RejectedMs))} |");
        md.AppendLine($"| baseline: one `ssh root@127.0.0.1 true` (new connection, OpenSSH client) | {Stats(ssh)} |").AppendLine();
        md.AppendLine(inv, $"End to end (every server rejects) median {PkiProcess.Median(rejectedAll):F0} ms = {PkiProcess.Median(rejectedAll) / PkiProcess.Median(ssh):F1}x one fresh SSH round trip; " +
                           $"goal under 5 s: **{(rejectedAll.Max() < 5000 ? "met" : "not met")}** (max {rejectedAll.Max():F0} ms).");
        File.WriteAllText(Path.Combine(root, "tests", "AdminPortal.Benchmarks", "RESULTS-VPN.md"), md.ToString());
        Console.Write(md.ToString());
    }
}
