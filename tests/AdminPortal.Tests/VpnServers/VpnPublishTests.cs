using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using AdminPortal.Tests.Hosts;

namespace AdminPortal.Tests.VpnServers;

/// <summary>Publishing to a real sshd host that runs a real OpenVPN in a test namespace; clients are portal-issued profiles.</summary>
[SupportedOSPlatform("linux")]
public sealed class VpnPublishTests(VpnServerLab lab) : IClassFixture<VpnServerLab>, IAsyncLifetime
{
    public Task InitializeAsync() => lab.EnsureProfileAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<JsonElement[]> DiffAsync(string server) =>
        [.. (await lab.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/vpn-servers/{server}/diff")).GetProperty("files").EnumerateArray()];

    private async Task<JsonElement[]> ClientsAsync(string server)
    {
        var r = await lab.Admin.GetAsync($"/api/v1/vpn-servers/{server}/clients");
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        return [.. (await r.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()];
    }

    [Fact]
    public async Task Publish_starts_OpenVPN_with_the_portal_files_a_client_connects_is_listed_and_kicked()
    {
        var (host, hostName) = await lab.VpnHostAsync();
        var server = await lab.AddServerAsync(host, hostName);

        var before = await DiffAsync(server);
        Assert.All(before, f => Assert.Equal("new", f.GetProperty("status").GetString()));
        var key = before.Single(f => f.GetProperty("name").GetString() == "server.key");
        Assert.True(key.GetProperty("secret").GetBoolean());
        Assert.Equal(JsonValueKind.Null, key.GetProperty("diff").ValueKind);
        Assert.Contains("+client-config-dir ccd", before.Single(f => f.GetProperty("name").GetString() == "server.conf").GetProperty("diff").GetString());

        var run = await lab.PublishAsync(server);
        var output = SshLab.Host(run, hostName).GetProperty("output").GetString();
        Assert.True(run.GetProperty("status").GetString() == "succeeded", $"{run}\n{host.ServerLog()}");
        Assert.Contains("OpenVPN accepted the configuration", output);
        Assert.Contains("healthy", output);
        Assert.Equal("vpn.publish", run.GetProperty("action").GetString());
        Assert.NotNull(await host.ServerPidAsync());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(host.ConfigDir, "server.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(host.ConfigDir, "tls-crypt.key")));
        Assert.True(File.GetUnixFileMode(Path.Combine(host.ConfigDir, "crl.pem")).HasFlag(UnixFileMode.OtherRead));
        Assert.True(Directory.Exists(Path.Combine(host.ConfigDir, "ccd")));
        Assert.Contains("user nobody", await File.ReadAllTextAsync(Path.Combine(host.ConfigDir, "server.conf")));
        Assert.All(await DiffAsync(server), f => Assert.Equal("unchanged", f.GetProperty("status").GetString()));
        var view = await lab.ServerAsync(server);
        Assert.Equal(run.GetProperty("id").GetGuid(), view.GetProperty("lastPublishRunId").GetGuid());

        var user = $"alice-{Guid.NewGuid():N}"[..14];
        await using var client = await host.StartClientAsync(await lab.ClientProfileAsync(user));
        Assert.True(client.Connected, $"{client}\n--- server ---\n{host.ServerLog()}");

        var listed = (await ClientsAsync(server)).Single(c => c.GetProperty("commonName").GetString() == user);
        Assert.StartsWith("127.0.0.1:", listed.GetProperty("realAddress").GetString());
        Assert.StartsWith("10.8.0.", listed.GetProperty("virtualAddress").GetString());
        Assert.Equal(client.VirtualAddress, listed.GetProperty("virtualAddress").GetString());
        Assert.True(listed.GetProperty("bytesReceived").GetInt64() > 0);

        var kick = await lab.Admin.PostAsync($"/api/v1/vpn-servers/{server}/clients/{listed.GetProperty("clientId").GetInt64()}/kick", null);
        Assert.True(kick.StatusCode == HttpStatusCode.OK, await kick.Content.ReadAsStringAsync());
        Assert.True(await client.WaitExitAsync(TimeSpan.FromSeconds(15)), client.ToString());
        Assert.DoesNotContain(await ClientsAsync(server), c => c.GetProperty("commonName").GetString() == user);
        var audit = await lab.Admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?action=vpn.client.kicked&limit=20");
        Assert.Contains(user, audit.ToString());
        var unknown = await lab.Admin.PostAsync($"/api/v1/vpn-servers/{server}/clients/999999/kick", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Publish_carries_the_users_client_config_dir_files_and_routes_so_a_fresh_server_gives_the_static_address()
    {
        var user = $"stat-{Guid.NewGuid():N}"[..13];
        var profile = await lab.ClientProfileAsync(user);
        var put = await lab.Admin.PutAsJsonAsync($"/api/v1/vpn-users/{user}/client-config",
            new { profile = VpnServerLab.Profile, staticAddress = "10.8.0.222", routes = new[] { "192.168.77.0/24" } });
        Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        var (host, hostName) = await lab.VpnHostAsync();
        var server = await lab.AddServerAsync(host, hostName);

        var diff = await DiffAsync(server);
        var ccd = diff.Single(f => f.GetProperty("name").GetString() == $"ccd/{user}");
        Assert.Equal("new", ccd.GetProperty("status").GetString());
        Assert.Contains("+ifconfig-push 10.8.0.222 255.255.255.0", ccd.GetProperty("diff").GetString());
        Assert.Contains("+route 192.168.77.0 255.255.255.0", diff.Single(f => f.GetProperty("name").GetString() == "server.conf").GetProperty("diff").GetString());

        var run = await lab.PublishAsync(server);
        Assert.True(run.GetProperty("status").GetString() == "succeeded", $"{run}\n{host.ServerLog()}");
        Assert.Equal("ifconfig-push 10.8.0.222 255.255.255.0\niroute 192.168.77.0 255.255.255.0\n",
            await File.ReadAllTextAsync(Path.Combine(host.ConfigDir, "ccd", user)));
        Assert.All(await DiffAsync(server), f => Assert.Equal("unchanged", f.GetProperty("status").GetString()));

        await using var client = await host.StartClientAsync(profile);
        Assert.True(client.Connected, $"{client}\n--- server ---\n{host.ServerLog()}");
        Assert.Equal("10.8.0.222", client.VirtualAddress);
    }

    [Fact]
    public async Task A_configuration_OpenVPN_refuses_fails_the_check_and_the_previous_one_keeps_running()
    {
        var (host, hostName) = await lab.VpnHostAsync();
        var server = await lab.AddServerAsync(host, hostName);
        Assert.Equal("succeeded", (await lab.PublishAsync(server)).GetProperty("status").GetString());
        var pid = await host.ServerPidAsync();
        await using var earlier = await host.StartClientAsync(await lab.ClientProfileAsync());
        Assert.True(earlier.Connected, earlier.ToString());
        var confBefore = await File.ReadAllTextAsync(Path.Combine(host.ConfigDir, "server.conf"));

        // Allowed by the portal's list (a tuning directive), refused by OpenVPN itself.
        var set = await lab.Admin.PutAsJsonAsync($"/api/v1/vpn-servers/{server}/directives", new { serverDirectives = new[] { "tun-mtu 10" } });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Contains("+tun-mtu 10", (await DiffAsync(server)).Single(f => f.GetProperty("name").GetString() == "server.conf").GetProperty("diff").GetString());
        var run = await lab.PublishAsync(server);
        var result = SshLab.Host(run, hostName);
        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Contains("Step 'check' failed", result.GetProperty("message").GetString());
        Assert.Contains("TUN MTU value (10) must be at least 100", result.GetProperty("message").GetString());
        Assert.Contains("TUN MTU value (10) must be at least 100", result.GetProperty("output").GetString());
        Assert.DoesNotContain("== restart", result.GetProperty("output").GetString());

        Assert.Equal(pid, await host.ServerPidAsync());
        Assert.Equal(confBefore, await File.ReadAllTextAsync(Path.Combine(host.ConfigDir, "server.conf")));
        Assert.True(earlier.Running, earlier.ToString());
        await using var later = await host.StartClientAsync(await lab.ClientProfileAsync());
        Assert.True(later.Connected, later.ToString());
        var audit = await lab.Admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?action=vpn.server.publish.finished&limit=50");
        Assert.Contains("TUN MTU value (10)", audit.ToString());
    }

    [Fact]
    public async Task A_configuration_that_passes_the_check_but_does_not_start_is_rolled_back_and_the_previous_one_runs_again()
    {
        var (host, hostName) = await lab.VpnHostAsync();
        var server = await lab.AddServerAsync(host, hostName);
        Assert.Equal("succeeded", (await lab.PublishAsync(server)).GetProperty("status").GetString());
        var confBefore = await File.ReadAllTextAsync(Path.Combine(host.ConfigDir, "server.conf"));

        // The trial start does not configure the tun device (no addresses in a namespace shared with the live server),
        // so an MTU the kernel refuses only fails the real start: the health check catches it.
        await lab.Admin.PutAsJsonAsync($"/api/v1/vpn-servers/{server}/directives", new { serverDirectives = new[] { "tun-mtu 70000" } });
        var run = await lab.PublishAsync(server);
        var result = SshLab.Host(run, hostName);
        var message = result.GetProperty("message").GetString()!;
        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Contains("Step 'health' failed", message);
        Assert.Contains("rtnl", message); // OpenVPN's own line about the refused MTU
        Assert.Contains("The previous files were put back and the server restarted on them.", message);
        Assert.Contains("== rollback: health", result.GetProperty("output").GetString());

        Assert.Equal(confBefore, await File.ReadAllTextAsync(Path.Combine(host.ConfigDir, "server.conf")));
        Assert.NotNull(await host.ServerPidAsync());
        await using var client = await host.StartClientAsync(await lab.ClientProfileAsync());
        Assert.True(client.Connected, $"{client}\n{host.ServerLog()}");
        var view = await lab.ServerAsync(server);
        Assert.NotEqual(run.GetProperty("id").GetGuid(), view.GetProperty("lastPublishRunId").GetGuid());
    }
}
