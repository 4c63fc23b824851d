using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text.Json;
using AdminPortal.Data.Audit;
using AdminPortal.Tests.Audit;
using AdminPortal.Tests.Hosts;
using AdminPortal.Tests.Security;
using AdminPortal.Tests.VpnServers;
using AdminPortal.Web.Hosts.Runs;
using AdminPortal.Web.VpnServers;
using Xunit.Abstractions;

namespace AdminPortal.Tests.Faults;

/// <summary>
/// A VPN server publish run by the real portal process, which is frozen (SIGSTOP) while the run is on the host until another
/// instance has marked the run interrupted (its lease ran out); that instance then publishes newer files to the server, and the
/// owner is thawed (SIGCONT): the owner finishes late, but the run stays interrupted, what the owner saw is audited after the
/// interrupted event (<c>action.run.finished_after_interrupt</c>) and logged as a warning, the server keeps the newer publish's
/// files (the pre-install check and the generation fence on the host), and the chain verifies.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PublishFreezeTests(VpnServerLab lab, ITestOutputHelper output) : IClassFixture<VpnServerLab>, IAsyncLifetime
{
    public Task InitializeAsync() => lab.EnsureProfileAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_publish_whose_owner_was_frozen_past_its_lease_stays_interrupted_and_does_not_replace_a_newer_publish_when_the_owner_comes_back()
    {
        var (host, hostName) = await lab.VpnHostAsync();
        var server = await lab.AddServerAsync(host, hostName);
        await using var owner = await PortalInstance.StartAsync(lab, lab.Admin.DefaultRequestHeaders.Authorization!.Parameter!);
        var started = await owner.Http.PostAsync($"/api/v1/vpn-servers/{server}/publish", null);
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();
        for (var waited = Stopwatch.StartNew(); ;)
        {
            var live = await owner.Http.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{runId}");
            if (SshLab.Host(live, hostName).GetProperty("status").GetString() == "running" && Directory.Exists(host.ConfigDir)) break;
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60) && live.GetProperty("status").GetString() is "queued" or "running", $"never caught running: {live}");
            await Task.Delay(20);
        }

        // Another instance (this test process, which runs none of it) with the owner's lease sweeps until the run is marked.
        var other = RunLeaseTests.OtherInstance(lab, PortalInstance.RunLease);
        var frozen = Stopwatch.StartNew();
        JsonElement newer;
        Dictionary<string, string> installed;
        AdminPortal.Testing.Processes.Signal("STOP", owner.Process.Pid);
        try
        {
            while (await StatusAsync(runId) != "interrupted")
            {
                Assert.True(frozen.Elapsed < TimeSpan.FromSeconds(60), $"not marked interrupted: {await StatusAsync(runId)}");
                await other.SweepAsync(default);
                await Task.Delay(100);
            }
            output.WriteLine($"marked interrupted {frozen.Elapsed.TotalMilliseconds:0} ms after the owner was frozen (lease {PortalInstance.RunLease.TotalSeconds} s)");

            // An operator publishes again on the other instance (the in-process portal), with other files.
            var set = await lab.Admin.PutAsJsonAsync($"/api/v1/vpn-servers/{server}/directives", new { serverDirectives = new[] { "tun-mtu 1400" } });
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            newer = await lab.PublishAsync(server);
            Assert.True(newer.GetProperty("status").GetString() == "succeeded", $"{newer}\n{host.ServerLog()}");
            installed = Installed(host.ConfigDir);
            Assert.Contains("tun-mtu 1400", await File.ReadAllTextAsync(Path.Combine(host.ConfigDir, "server.conf")));
        }
        finally
        {
            AdminPortal.Testing.Processes.Signal("CONT", owner.Process.Pid);
        }

        // Thawed, the owner goes on with the publish; its last word on the run is the late event.
        List<AuditEvent> trail;
        for (var waited = Stopwatch.StartNew(); (trail = await lab.AuditAboutAsync($"run:{runId}")).All(e => e.Action != RunWrites.FinishedAfterInterrupt);)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(180), $"no late finish from the owner (the run is '{await StatusAsync(runId)}'):\n{owner.Process.StdOut}");
            await Task.Delay(100);
        }
        Assert.Equal(["action.run.interrupted", RunWrites.FinishedAfterInterrupt], trail.Select(e => e.Action));
        var late = JsonDocument.Parse(trail[1].Details).RootElement;
        output.WriteLine($"the owner's late outcome: {late.GetProperty("details").GetProperty("status")}, {late.GetProperty("details").GetProperty("message")}");
        Assert.Equal("interrupted", late.GetProperty("storedStatus").GetString());
        Assert.Equal("vpn.server.publish.finished", late.GetProperty("event").GetString());
        Assert.Equal(runId, late.GetProperty("details").GetProperty("runId").GetGuid());
        Assert.NotEqual(late.GetProperty("owner").GetString(), JsonDocument.Parse(trail[0].Details).RootElement.GetProperty("markedBy").GetString());
        Assert.Contains("after it had been marked 'interrupted'", owner.Process.StdOut);

        var run = await lab.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{runId}");
        Assert.Equal("interrupted", run.GetProperty("status").GetString());
        Assert.Equal(RunLeases.Message, SshLab.Host(run, hostName).GetProperty("message").GetString());
        var ofRun = (await lab.AuditAboutAsync($"vpn-server:{server}")).Where(e => e.Details.Contains(runId.ToString())).ToList();
        Assert.Equal(["vpn.server.publish.started"], ofRun.Select(e => e.Action)); // and no publish.finished
        Assert.True(ofRun[0].Sequence < trail[0].Sequence);
        Assert.Equal(newer.GetProperty("id").GetGuid(), (await lab.ServerAsync(server)).GetProperty("lastPublishRunId").GetGuid());
        // Wherever the owner was frozen, what it rendered before is not what the server has now: the newer publish's files.
        Assert.Equal(installed, Installed(host.ConfigDir));
        Assert.NotNull(await host.ServerPidAsync());
        var verify = await AuditVerifyResult.GetAsync(lab.Admin);
        Assert.True(verify.Ok, verify.Problem);
    }

    /// <summary>The installed files (ccd/ included) with their SHA-256.</summary>
    private static Dictionary<string, string> Installed(string configDir) =>
        ServerFiles.Names.Select(n => Path.Combine(configDir, n))
            .Concat(Directory.Exists(Path.Combine(configDir, "ccd")) ? Directory.GetFiles(Path.Combine(configDir, "ccd")) : [])
            .ToDictionary(f => Path.GetRelativePath(configDir, f), f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))));

    private async Task<string?> StatusAsync(Guid runId) =>
        (await lab.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{runId}")).GetProperty("status").GetString();
}
