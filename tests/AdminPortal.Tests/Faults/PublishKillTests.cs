using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using AdminPortal.Tests.Hosts;
using AdminPortal.Tests.VpnServers;
using Xunit.Abstractions;

namespace AdminPortal.Tests.Faults;

/// <summary>
/// A VPN server publish run by the real portal process, which is killed with SIGKILL while the run is on the host: the
/// run is left 'running' by a dead instance; the restarted portal marks it interrupted (run and host, with a message and
/// an <c>action.run.interrupted</c> event) once its lease has run out, and a new publish then succeeds.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PublishKillTests(VpnServerLab lab, ITestOutputHelper output) : IClassFixture<VpnServerLab>, IAsyncLifetime
{
    public Task InitializeAsync() => lab.EnsureProfileAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_publish_cut_off_by_SIGKILL_is_marked_interrupted_after_the_restart_and_a_new_publish_succeeds()
    {
        var (host, hostName) = await lab.VpnHostAsync();
        var server = await lab.AddServerAsync(host, hostName);
        var token = lab.Admin.DefaultRequestHeaders.Authorization!.Parameter!;

        Guid runId;
        await using (var first = await PortalInstance.StartAsync(lab, token))
        {
            var started = await first.Http.PostAsync($"/api/v1/vpn-servers/{server}/publish", null);
            Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
            runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();
            // In the middle: the run is on the host and its first step has made the configuration directory.
            for (var waited = System.Diagnostics.Stopwatch.StartNew(); ;)
            {
                var run = await first.Http.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{runId}");
                if (SshLab.Host(run, hostName).GetProperty("status").GetString() == "running" && Directory.Exists(host.ConfigDir)) break;
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60) && run.GetProperty("status").GetString() is "queued" or "running", $"never caught running: {run}");
                await Task.Delay(20);
            }
            await first.KillAsync();
        }
        var left = await lab.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{runId}");
        Assert.Equal("running", left.GetProperty("status").GetString()); // what a dead instance leaves behind

        var clock = Stopwatch.StartNew();
        await using var second = await PortalInstance.StartAsync(lab, token);
        JsonElement interrupted;
        while (true)
        {
            interrupted = await second.Http.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{runId}");
            if (interrupted.GetProperty("status").GetString() != "running") break;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"still running: {interrupted}");
            await Task.Delay(100);
        }
        output.WriteLine($"the restarted portal marked the run interrupted {clock.Elapsed.TotalMilliseconds:0} ms after it was started (lease {PortalInstance.RunLease.TotalSeconds} s)");
        Assert.Equal("interrupted", interrupted.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, interrupted.GetProperty("finishedAt").ValueKind);
        var onHost = SshLab.Host(interrupted, hostName);
        Assert.Equal("interrupted", onHost.GetProperty("status").GetString());
        Assert.Contains("stopped before it finished", onHost.GetProperty("message").GetString());
        var listed = await second.Http.GetFromJsonAsync<JsonElement>("/api/v1/runs?status=interrupted&limit=50");
        Assert.Contains(listed.EnumerateArray(), r => r.GetProperty("id").GetGuid() == runId);
        var audit = await second.Http.GetFromJsonAsync<JsonElement>($"/api/v1/audit?action=action.run.interrupted&target=run:{runId}");
        var ev = Assert.Single(audit.GetProperty("items").EnumerateArray());
        Assert.Contains(server, ev.GetProperty("details").ToString());
        var page = await (await lab.LoginAsync(await lab.CreateOperatorAsync(AdminPortal.Web.Security.Roles.Admin))).GetStringAsync($"/runs/{runId}");
        Assert.Contains("interrupted", page);
        Assert.Contains("stopped before it finished", page);

        var again = await second.Http.PostAsync($"/api/v1/vpn-servers/{server}/publish", null);
        Assert.True(again.StatusCode == HttpStatusCode.Accepted, await again.Content.ReadAsStringAsync());
        var republished = await lab.WaitAsync((await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid(), TimeSpan.FromSeconds(180));
        Assert.True(republished.GetProperty("status").GetString() == "succeeded", $"{republished}\n{host.ServerLog()}");
        Assert.NotNull(await host.ServerPidAsync());
        var verify = await second.Http.GetFromJsonAsync<JsonElement>("/api/v1/audit/verify");
        Assert.True(verify.GetProperty("ok").GetBoolean(), verify.ToString());
    }
}
