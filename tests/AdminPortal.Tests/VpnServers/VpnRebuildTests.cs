using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using AdminPortal.Tests.Hosts;

namespace AdminPortal.Tests.VpnServers;

/// <summary>Rebuilding a dead VPN server onto a fresh host: one action installs (when missing) and publishes; existing profiles connect there.</summary>
[SupportedOSPlatform("linux")]
public sealed class VpnRebuildTests(VpnServerLab lab) : IClassFixture<VpnServerLab>, IAsyncLifetime
{
    public Task InitializeAsync() => lab.EnsureProfileAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Rebuild_onto_a_fresh_host_publishes_everything_and_an_existing_client_profile_connects_there()
    {
        var (old, oldHost) = await lab.VpnHostAsync();
        var server = await lab.AddServerAsync(old, oldHost);
        Assert.Equal("succeeded", (await lab.PublishAsync(server)).GetProperty("status").GetString());
        var ovpn = await lab.ClientProfileAsync();
        await using (var before = await old.StartClientAsync(ovpn)) Assert.True(before.Connected, before.ToString());
        await old.DisposeAsync(); // the old server dies: its OpenVPN and its network are gone

        var (fresh, freshHost) = await lab.VpnHostAsync();
        var unknown = await lab.Admin.PostAsJsonAsync($"/api/v1/vpn-servers/{server}/rebuild", new { host = "no-such-host" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var badNs = await lab.Admin.PostAsJsonAsync($"/api/v1/vpn-servers/{server}/rebuild", new { host = freshHost, netNamespace = "x;reboot" });
        Assert.Equal(HttpStatusCode.BadRequest, badNs.StatusCode);
        Assert.Equal(oldHost, (await lab.ServerAsync(server)).GetProperty("host").GetString());

        var run = await lab.WaitStartedAsync(await lab.Admin.PostAsJsonAsync($"/api/v1/vpn-servers/{server}/rebuild",
            new { host = freshHost, configDir = fresh.ConfigDir, netNamespace = fresh.Namespace }));
        var output = SshLab.Host(run, freshHost).GetProperty("output").GetString();
        Assert.True(run.GetProperty("status").GetString() == "succeeded", $"{run}\n{fresh.ServerLog()}");
        Assert.Equal("vpn.rebuild", run.GetProperty("action").GetString());
        Assert.Contains("== install openvpn and socat", output);
        Assert.Contains("OpenVPN 2.6", output);
        Assert.Contains("healthy", output);
        var view = await lab.ServerAsync(server);
        Assert.Equal(freshHost, view.GetProperty("host").GetString());
        Assert.Equal($"{fresh.ConfigDir}/mgmt.sock", view.GetProperty("managementSocket").GetString());

        // The same .ovpn, unchanged: its remote (127.0.0.1) now reaches the fresh host (the client runs in its network).
        await using var after = await fresh.StartClientAsync(ovpn);
        Assert.True(after.Connected, $"{after}\n{fresh.ServerLog()}");
        var audit = await lab.Admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?action=vpn.server.moved&limit=20");
        Assert.Contains(freshHost, audit.ToString());
    }
}
