extern alias web;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using AdminPortal.Tests.Peers;
using Microsoft.Extensions.Options;
using web::AdminPortal.Web.Hosts;
using web::AdminPortal.Web.Hosts.Ssh;

namespace AdminPortal.Benchmarks;

/// <summary>
/// The `--ssh` mode: one action (`true`) 50 times in sequence through the portal's pool against 50 times with a new
/// SSH.NET connection each (same key, same host-key check), interleaved in rounds; then one action fanned out to 50
/// sshd instances on loopback ports, cold (connections opened) and warm (pool open). Writes RESULTS-SSH.md.
/// </summary>
public static class SshBenchmarks
{
    public static async Task<int> RunAsync(string[] args, string root)
    {
        var inv = CultureInfo.InvariantCulture;
        int Arg(string name, int fallback) => args.SkipWhile(a => a != $"--{name}").Skip(1).FirstOrDefault() is { } v ? int.Parse(v, inv) : fallback;
        var actions = Arg("actions", 50);
        var hostCount = Arg("hosts", 50);
        var rounds = 5;
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
        var servers = new List<SshdServer>();
        try
        {
            for (var i = 0; i < hostCount; i += 10)
                servers.AddRange(await Task.WhenAll(Enumerable.Range(0, Math.Min(10, hostCount - i)).Select(_ => SshdServer.StartAsync())));
            var (material, publicKey) = SshKeys.GenerateEd25519("bench");
            foreach (var s in servers) s.Authorize(SshdServer.TestUser, publicKey);
            var key = material.Open();
            var keys = new SshKeys(null!, null!);
            var credential = Guid.NewGuid();
            keys.Remember(credential, key);
            var options = new HostsOptions();
            await using var pool = new SshPool(keys, Options.Create(options), TimeProvider.System);
            var shell = new RemoteShell(pool);
            var targets = new List<SshTarget>();
            foreach (var s in servers)
                targets.Add(new SshTarget($"bench-{s.Port}", "127.0.0.1", s.Port, SshdServer.TestUser, credential, await s.FingerprintAsync()));
            var command = new RemoteCommand("true", TimeSpan.FromSeconds(30));

            async Task Pooled(SshTarget t)
            {
                var o = await shell.RunAsync(t, command, (_, _) => { }, CancellationToken.None);
                if (o.ExitCode != 0) throw new InvalidOperationException($"{t.Host}: {o.Status} {o.Message}");
            }
            async Task Fresh(SshTarget t)
            {
                using var client = new Renci.SshNet.SshClient(t.ConnectionInfo(key, TimeSpan.FromSeconds(10)));
                HostKeyCheck.Attach(client, t.TrustedFingerprint);
                await client.ConnectAsync(CancellationToken.None);
                using var cmd = client.CreateCommand("true");
                await cmd.ExecuteAsync(CancellationToken.None);
                if (cmd.ExitStatus != 0) throw new InvalidOperationException("fresh: exit " + cmd.ExitStatus);
                client.Disconnect();
            }

            var one = targets[0];
            await Pooled(one);
            await Fresh(one);
            double pooledMs = 0, freshMs = 0;
            var per = actions / rounds;
            for (var r = 0; r < rounds; r++)
            {
                var sw = Stopwatch.StartNew();
                for (var i = 0; i < per; i++) await Pooled(one);
                pooledMs += sw.Elapsed.TotalMilliseconds;
                sw.Restart();
                for (var i = 0; i < per; i++) await Fresh(one);
                freshMs += sw.Elapsed.TotalMilliseconds;
            }
            var n = per * rounds;
            var pooledEach = pooledMs / n;
            var freshEach = freshMs / n;
            Console.WriteLine($"sequential: pooled {pooledEach:F1} ms/action, new connection {freshEach:F1} ms/action, ratio {freshEach / pooledEach:F1}x");

            async Task<double> FanOut(int degree)
            {
                var sw = Stopwatch.StartNew();
                await Parallel.ForEachAsync(targets, new ParallelOptions { MaxDegreeOfParallelism = degree }, async (t, _) => await Pooled(t));
                return sw.Elapsed.TotalMilliseconds;
            }
            await pool.DisposeAsync();
            await using var pool2 = new SshPool(keys, Options.Create(options), TimeProvider.System);
            shell = new RemoteShell(pool2);
            var cold = await FanOut(options.FanOutLimit);
            var warm = await FanOut(options.FanOutLimit);
            var warmAll = await FanOut(hostCount);
            Console.WriteLine($"fan-out to {hostCount} hosts: cold {cold:F0} ms, warm {warm:F0} ms, warm with {hostCount} at once {warmAll:F0} ms");

            var loadEnd = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
            var md = new StringBuilder();
            md.AppendLine("# SSH benchmarks").AppendLine();
            md.AppendLine("Run with `dotnet run -c Release --project tests/AdminPortal.Benchmarks -- --ssh` (options `--actions N --hosts N`).");
            md.AppendLine("Client: the portal's `SshPool` and `RemoteShell` (SSH.NET 2026.0.0) in-process; servers: OpenSSH sshd instances on");
            md.AppendLine("loopback ports, each with its own config and host key (the test peer `SshdServer`); the action is `true`.");
            md.AppendLine($"Machine: 2 cores shared with other work; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; load average at the start {string.Join(' ', load)}, at the end {string.Join(' ', loadEnd)}.").AppendLine();
            md.AppendLine($"| {n} sequential actions on one host | ms per action | |");
            md.AppendLine("|---|---:|---:|");
            md.AppendLine($"| through the pool (one connection, a new channel each) | **{pooledEach:F1}** | |");
            md.AppendLine($"| baseline: a new SSH.NET connection each (connect, key exchange, auth, exec, disconnect) | {freshEach:F1} | |");
            md.AppendLine($"| ratio | | **{freshEach / pooledEach:F1}x** (goal 10x; OpenSSH ControlMaster gave 5.3x here) |").AppendLine();
            md.AppendLine($"| One action fanned out to {hostCount} sshd instances | total | per host |");
            md.AppendLine("|---|---:|---:|");
            md.AppendLine($"| cold: {options.FanOutLimit} at a time (the default FanOutLimit), connections opened | {cold:F0} ms | {cold / hostCount:F1} ms |");
            md.AppendLine($"| warm: {options.FanOutLimit} at a time, pool open | {warm:F0} ms | {warm / hostCount:F1} ms |");
            md.AppendLine($"| warm: all {hostCount} at once | {warmAll:F0} ms | {warmAll / hostCount:F1} ms |").AppendLine();
            md.AppendLine($"Rounds: {rounds}, pooled and new-connection batches interleaved. Per-host figures are the total divided by the hosts.");
            await File.WriteAllTextAsync(Path.Combine(root, "tests/AdminPortal.Benchmarks/RESULTS-SSH.md"), md.ToString());
            Console.WriteLine(md);
            return 0;
        }
        finally
        {
            foreach (var s in servers) await s.DisposeAsync();
        }
    }
}
