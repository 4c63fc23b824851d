using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text.Json;
using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Tests.Audit;
using AdminPortal.Tests.Hosts;
using AdminPortal.Tests.Peers;
using AdminPortal.Tests.Security;
using AdminPortal.Web.Hosts.Runs;
using AdminPortal.Web.VpnServers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AdminPortal.Tests.VpnServers;

/// <summary>
/// The generation fence (<see cref="HostRecords.Supersedes"/>, then a compare-and-swap on the host): every publish takes a generation from the database
/// when its run is created, the install records it next to the files, and a publish older than what the host has installed
/// changes nothing there. Real sshd, real OpenVPN; the order of two publishes is forced with a row lock on the older one's run.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PublishFenceTests(VpnServerLab lab) : IClassFixture<VpnServerLab>, IAsyncLifetime
{
    public Task InitializeAsync() => lab.EnsureProfileAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static long Generation(JsonElement run) => run.GetProperty("parameters").GetProperty("generation").GetInt64();

    private static long HostGeneration(VpnHostLab host) =>
        long.Parse(File.ReadAllText(Path.Combine(host.ConfigDir, PublishScripts.GenerationFile)).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The installed files (ccd/ included) and the generation file, each with its SHA-256.</summary>
    private static SortedDictionary<string, string> Installed(VpnHostLab host)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in Directory.EnumerateFiles(host.ConfigDir, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetRelativePath(host.ConfigDir, f);
            if (!ServerFiles.Names.Contains(name) && !name.StartsWith("ccd/", StringComparison.Ordinal) && name != PublishScripts.GenerationFile) continue;
            files[name] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)));
        }
        return files;
    }

    [Fact]
    public async Task Consecutive_publishes_install_with_increasing_generations_and_leave_no_staging_behind()
    {
        var (host, hostName) = await lab.VpnHostAsync();
        var server = await lab.AddServerAsync(host, hostName);

        var first = await lab.PublishAsync(server);
        Assert.True(first.GetProperty("status").GetString() == "succeeded", $"{first}\n{host.ServerLog()}");
        Assert.Equal(Generation(first), HostGeneration(host));
        var second = await lab.PublishAsync(server);
        Assert.True(second.GetProperty("status").GetString() == "succeeded", $"{second}\n{host.ServerLog()}");
        Assert.True(Generation(second) > Generation(first), $"{Generation(second)} after {Generation(first)}");
        Assert.Equal(Generation(second), HostGeneration(host));
        Assert.Contains($"(publish generation {Generation(second)})", SshLab.Host(second, hostName).GetProperty("output").GetString());
        Assert.Empty(Directory.GetDirectories(host.ConfigDir, ".staged*"));
        Assert.NotNull(await host.ServerPidAsync());
        var started = (await lab.AuditAboutAsync($"vpn-server:{server}")).Where(e => e.Action == "vpn.server.publish.started")
            .Select(e => JsonDocument.Parse(e.Details).RootElement.GetProperty("generation").GetInt64());
        Assert.Equal([Generation(first), Generation(second)], started);
    }

    [Fact]
    public async Task A_publish_that_reaches_its_install_after_a_newer_one_was_installed_is_refused_on_the_host_and_changes_nothing()
    {
        var (host, hostName) = await lab.VpnHostAsync();
        var server = await lab.AddServerAsync(host, hostName);
        Assert.Equal("succeeded", (await lab.PublishAsync(server)).GetProperty("status").GetString());

        // The older publish (A) renders its files and takes its generation; its run's row is then locked, so that A waits at its
        // next write to the run (at the latest the check just before the install) until the newer publish (B) is on the host.
        var startedA = await lab.Admin.PostAsync($"/api/v1/vpn-servers/{server}/publish", null);
        Assert.True(startedA.StatusCode == HttpStatusCode.Accepted, await startedA.Content.ReadAsStringAsync());
        var runA = (await startedA.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();
        JsonElement b;
        SortedDictionary<string, string> installedByB;
        int? pidOfB;
        await using (var db = await lab.Service<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        await using (var held = await db.Database.BeginTransactionAsync())
        {
            await db.Database.ExecuteSqlAsync($"""SELECT 1 FROM action_runs WHERE "Id" = {runA} FOR UPDATE""");

            // B renders other files (a new directive) and is run by a second publisher (as another instance would: its own busy
            // set and run monitor), to the end.
            var set = await lab.Admin.PutAsJsonAsync($"/api/v1/vpn-servers/{server}/directives", new { serverDirectives = new[] { "tun-mtu 1400" } });
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            var other = ActivatorUtilities.CreateInstance<VpnPublisher>(lab.Services, new RunMonitor());
            var startedB = await other.StartAsync(server, new AuditActor("fence-test", "Admin", null), default);
            Assert.True(startedB.Ok, startedB.Error?.ToString());
            b = await lab.WaitAsync(startedB.Value!.Id, TimeSpan.FromSeconds(180));
            Assert.True(b.GetProperty("status").GetString() == "succeeded", $"{b}\n{host.ServerLog()}");
            Assert.Contains((await lab.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{runA}")).GetProperty("status").GetString(), (string[])["queued", "running"]);
            installedByB = Installed(host);
            pidOfB = await host.ServerPidAsync();
            Assert.Contains("tun-mtu 1400", await File.ReadAllTextAsync(Path.Combine(host.ConfigDir, "server.conf")));
            await held.RollbackAsync();
        }

        var a = await lab.WaitAsync(runA, TimeSpan.FromSeconds(180));
        var resultA = SshLab.Host(a, hostName);
        var message = resultA.GetProperty("message").GetString()!;
        Assert.True(Generation(a) < Generation(b), $"{Generation(a)} / {Generation(b)}");
        Assert.True(a.GetProperty("status").GetString() == "error", $"{a}");
        Assert.Equal($"Step 'backup and install' refused on the host: a newer publish (generation {Generation(b)}) is already installed; " +
            $"nothing changed (this publish is generation {Generation(a)}).", message);
        var output = resultA.GetProperty("output").GetString()!;
        Assert.Contains("== backup and install", output);
        Assert.DoesNotContain("== restart", output);
        Assert.DoesNotContain("== rollback", output);

        // The host still has B's files, generation and server; nothing of A is left there.
        Assert.Equal(installedByB, Installed(host));
        Assert.Equal(Generation(b), HostGeneration(host));
        Assert.Equal(pidOfB, await host.ServerPidAsync());
        Assert.Empty(Directory.GetDirectories(host.ConfigDir, ".staged*"));
        Assert.Equal(b.GetProperty("id").GetGuid(), (await lab.ServerAsync(server)).GetProperty("lastPublishRunId").GetGuid());

        var finished = (await lab.AuditAboutAsync($"vpn-server:{server}"))
            .Single(e => e.Action == "vpn.server.publish.finished" && e.Details.Contains(runA.ToString()));
        var details = JsonDocument.Parse(finished.Details).RootElement;
        Assert.Equal(AuditOutcome.Failure, finished.Outcome);
        Assert.Equal("error", details.GetProperty("status").GetString());
        Assert.True(details.GetProperty("superseded").GetBoolean());
        Assert.False(details.GetProperty("rolledBack").GetBoolean());
        Assert.Equal(Generation(a), details.GetProperty("generation").GetInt64());
        var verify = await AuditVerifyResult.GetAsync(lab.Admin);
        Assert.True(verify.Ok, verify.Problem);
    }
}
