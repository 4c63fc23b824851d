using System.Globalization;
using System.Text;
using AdminPortal.Benchmarks;
using AdminPortal.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

// The audit chain's benchmarks: append throughput and verification time, each against a baseline measured
// in the same run on the same private cluster. Run: dotnet run -c Release --project tests/AdminPortal.Benchmarks
// Options: --rows N (verification rows, default 1000000), --events N (events per append run, default 3000), --runs N (default 3).
// --pki: the PKI benchmarks instead (PkiBenchmarks.cs), written to RESULTS-PKI.md.
if (args.Contains("--pki")) return await PkiBenchmarks.RunAsync(args, FindRoot());
// --ssh: the SSH pool against a new connection per action, and a fan-out to 50 sshd instances (SshBenchmarks.cs), written to RESULTS-SSH.md.
if (args.Contains("--ssh")) return await SshBenchmarks.RunAsync(args, FindRoot());
// --vpn: revocation to rejection with 3 real OpenVPN servers managed over SSH (VpnBenchmarks.cs), written to RESULTS-VPN.md.
if (args.Contains("--vpn") && OperatingSystem.IsLinux()) return await VpnBenchmarks.RunAsync(args, FindRoot());
var inv = CultureInfo.InvariantCulture;
int Arg(string name, int fallback) => args.SkipWhile(a => a != $"--{name}").Skip(1).FirstOrDefault() is { } v ? int.Parse(v, inv) : fallback;
var rows = Arg("rows", 1_000_000);
var events = Arg("events", 3000);
var runs = Arg("runs", 3);
int[] writerCounts = [1, 4, 20];

using var cluster = AdminPortal.Testing.PostgresCluster.Start("adminportal-bench", "fsync=on", "synchronous_commit=on", "full_page_writes=on", "max_connections=100", "shared_buffers=256MB");
Console.WriteLine($"Private cluster on port {cluster.Port}: fsync={cluster.Setting("fsync")}, synchronous_commit={cluster.Setting("synchronous_commit")}");
await using (var admin = NpgsqlDataSource.Create(cluster.ConnectionString("postgres")))
{
    await using var c1 = admin.CreateCommand("CREATE DATABASE bench_append");
    await c1.ExecuteNonQueryAsync();
    await using var c2 = admin.CreateCommand("CREATE DATABASE bench_verify");
    await c2.ExecuteNonQueryAsync();
}
foreach (var name in new[] { "bench_append", "bench_verify" })
{
    await using var ctx = new PortalDbContext(PortalDb.Configure(new DbContextOptionsBuilder<PortalDbContext>(), cluster.ConnectionString(name)).Options);
    await ctx.Database.MigrateAsync();
}

var appends = new List<AppendResult>();
var barrierOk = false;
await using (var db = NpgsqlDataSource.Create(cluster.ConnectionString("bench_append")))
{
    var bench = new AppendBenchmark(db);
    await bench.PrepareAsync();
    barrierOk = await bench.BarrierFlushesAsync();
    Console.WriteLine($"durability barrier flushes the WAL through the asynchronous commit: {barrierOk}");
    foreach (var writers in writerCounts)
    {
        var r = await bench.MeasureAsync(writers, events, runs);
        appends.Add(r);
        Console.WriteLine($"append, {writers} writers: chain {r.ChainPerSecond:F0}/s, plain {r.PlainPerSecond:F0}/s, ratio {r.Ratio:F2}, " +
                          $"flush under the lock {r.FlushUnderLockPerSecond:F0}/s, previous AuditLog {r.TwoRoundTripsPerSecond:F0}/s");
    }
}

VerifyResult verify;
var checkpoints = Path.Combine(Path.GetTempPath(), "adminportal-bench-cp-" + Guid.NewGuid().ToString("N")[..8]);
await using (var db = NpgsqlDataSource.Create(cluster.ConnectionString("bench_verify")))
{
    verify = await new VerifyBenchmark(db, checkpoints).MeasureAsync(rows, runs);
    Console.WriteLine($"verify {verify.Rows} rows: {verify.VerifySeconds:F2} s, plain read {verify.PlainReadSeconds:F2} s, ratio {verify.Ratio:F2} (ok={verify.Ok})");
}
try { Directory.Delete(checkpoints, true); } catch (IOException) { }

var pages = await new PageQueryBenchmark(cluster.ConnectionString("bench_verify")).MeasureAsync(rows, repetitions: 21);
foreach (var p in pages) Console.WriteLine($"page query '{p.Query}': {p.Milliseconds:F2} ms ({p.Rows} rows), baseline {p.BaselineMilliseconds:F2} ms, ratio {p.Ratio:F1}");

var md = new StringBuilder();
md.AppendLine("# Audit chain benchmarks").AppendLine();
md.AppendLine("Run with `dotnet run -c Release --project tests/AdminPortal.Benchmarks` (options: `--rows N --events N --runs N`).");
md.AppendLine("It starts its own PostgreSQL cluster in /tmp as the `postgres` user with **fsync=on, synchronous_commit=on**");
md.AppendLine("(every commit waits for its WAL flush), migrates fresh databases, measures, and stops the cluster by its PID.");
md.AppendLine("Figures are medians of the runs after a warm-up; baselines are measured in the same run, interleaved.").AppendLine();
md.AppendLine($"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, " +
              $".NET {Environment.Version}, PostgreSQL {AdminPortal.Testing.PostgresCluster.BinDirectory.Split('/')[^2]}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, " +
              $"load average at the end {File.ReadAllText("/proc/loadavg").Split(' ')[0]} (shared machine).").AppendLine();
md.AppendLine($"## Append: events/s, each event its own transaction ({events} events per run, {runs} runs)").AppendLine();
md.AppendLine("| writers | chain (AuditedWork: `audit_append`, flush after the lock + durability barrier) | baseline: plain INSERT, PG sequence | chain / baseline | chain, commit flushed under the lock | previous AuditLog (lock SELECT + batch, flush under the lock) |");
md.AppendLine("|---:|---:|---:|---:|---:|---:|");
foreach (var a in appends)
    md.AppendLine(inv, $"| {a.Writers} | {a.ChainPerSecond:F0} | {a.PlainPerSecond:F0} | {a.Ratio:F2} | {a.FlushUnderLockPerSecond:F0} | {a.TwoRoundTripsPerSecond:F0} |");
md.AppendLine().AppendLine($"Durability check: after `AuditLog.WaitDurableAsync` the WAL was flushed through the asynchronous commit: **{barrierOk}**.");
md.AppendLine().AppendLine($"## Verification of {verify.Rows:N0} rows ({runs} runs)").AppendLine();
md.AppendLine("| AuditVerifier.VerifyAsync | baseline: plain ordered read of the same rows | verify / baseline | bulk load (COPY binary, hashing included) |");
md.AppendLine("|---:|---:|---:|---:|");
md.AppendLine(inv, $"| {verify.VerifySeconds:F2} s | {verify.PlainReadSeconds:F2} s | {verify.Ratio:F2} | {verify.LoadSeconds:F1} s |");
md.AppendLine().AppendLine($"## Audit page queries on the same {verify.Rows:N0} rows (median of 21)").AppendLine();
md.AppendLine("`AuditQuery.PageAsync` as the audit page and `GET /api/v1/audit` call it (50 rows, keyset paging); baseline: `AuditQuery.GetAsync`, one event by its sequence number.").AppendLine();
md.AppendLine("| query | ms | rows | baseline ms | ratio |");
md.AppendLine("|---|---:|---:|---:|---:|");
foreach (var p in pages)
    md.AppendLine(inv, $"| {p.Query} | {p.Milliseconds:F2} | {p.Rows} | {p.BaselineMilliseconds:F2} | {p.Ratio:F1} |");
md.AppendLine().AppendLine($"Goals: at least 2,000 events/s with the chain; verification of 1,000,000 rows under 10 s.");
Console.WriteLine();
Console.WriteLine(md);
var outPath = Path.Combine(FindRoot(), "tests", "AdminPortal.Benchmarks", "RESULTS.md");
await File.WriteAllTextAsync(outPath, md.ToString());
Console.WriteLine($"Written to {outPath}");
return 0;

static string FindRoot()
{
    for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "AdminPortal.sln"))) return d.FullName;
    return Directory.GetCurrentDirectory();
}
