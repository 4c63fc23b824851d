using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using AdminPortal.Data;
using AdminPortal.Tests.Hosts;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.VpnServers;

/// <summary>
/// A client-config (ccd) push that reported success is never lost to a publish: ccd writes take the publishes' lock and carry
/// a generation, and a publish that rendered before the push keeps the pushed file. Real sshd, real OpenVPN; the publish is
/// held before its install by a row lock on its run while the push happens.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ClientConfigFenceTests(VpnServerLab lab) : IClassFixture<VpnServerLab>, IAsyncLifetime
{
    public Task InitializeAsync() => lab.EnsureProfileAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_ccd_push_that_succeeded_while_an_older_publish_was_on_its_way_survives_that_publish_s_install()
    {
        var (host, hostName) = await lab.VpnHostAsync();
        var server = await lab.AddServerAsync(host, hostName);
        Assert.Equal("succeeded", (await lab.PublishAsync(server)).GetProperty("status").GetString());
        var user = $"cc-{Guid.NewGuid():N}"[..11];
        Assert.Equal(HttpStatusCode.Created, (await lab.Admin.PostAsJsonAsync("/api/v1/vpn-users", new { name = user })).StatusCode);
        var ccd = Path.Combine(host.ConfigDir, "ccd", user);
        Assert.False(File.Exists(ccd));

        // The publish (A) renders without the user's settings, then waits on its run's row (at the latest just before its install).
        var startedA = await lab.Admin.PostAsync($"/api/v1/vpn-servers/{server}/publish", null);
        Assert.True(startedA.StatusCode == HttpStatusCode.Accepted, await startedA.Content.ReadAsStringAsync());
        var runA = (await startedA.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();
        await using (var db = await lab.Service<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        await using (var held = await db.Database.BeginTransactionAsync())
        {
            await db.Database.ExecuteSqlAsync($"""SELECT 1 FROM action_runs WHERE "Id" = {runA} FOR UPDATE""");
            var put = await lab.Admin.PutAsJsonAsync($"/api/v1/vpn-users/{user}/client-config",
                new { profile = VpnServerLab.Profile, staticAddress = "10.8.0.200" });
            Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
            var push = (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("pushes").EnumerateArray()
                .Single(p => p.GetProperty("server").GetString() == server);
            Assert.True(push.GetProperty("ok").GetBoolean(), push.ToString());
            Assert.Equal("ifconfig-push 10.8.0.200 255.255.255.0\n", await File.ReadAllTextAsync(ccd));
            await held.RollbackAsync();
        }

        var a = await lab.WaitAsync(runA, TimeSpan.FromSeconds(180));
        Assert.True(a.GetProperty("status").GetString() == "succeeded", $"{a}\n{host.ServerLog()}");
        Assert.True(File.Exists(ccd), $"the pushed ccd/{user} was lost to the older publish:\n{SshLab.Host(a, hostName).GetProperty("output").GetString()}");
        Assert.Equal("ifconfig-push 10.8.0.200 255.255.255.0\n", await File.ReadAllTextAsync(ccd));

        // A publish rendered now has the file too, and a clearing push removes it.
        Assert.Equal("succeeded", (await lab.PublishAsync(server)).GetProperty("status").GetString());
        Assert.Equal("ifconfig-push 10.8.0.200 255.255.255.0\n", await File.ReadAllTextAsync(ccd));
        Assert.Equal(HttpStatusCode.OK, (await lab.Admin.PutAsJsonAsync($"/api/v1/vpn-users/{user}/client-config", new { profile = VpnServerLab.Profile })).StatusCode);
        Assert.False(File.Exists(ccd));
    }
}
