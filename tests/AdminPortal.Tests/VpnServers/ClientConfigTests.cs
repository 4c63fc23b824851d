using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using AdminPortal.Web.VpnServers.ClientConfigs;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.VpnServers;

/// <summary>
/// Per-user static address and routes: validated against the profile's network, stored with their audit event, written
/// to ccd/NAME on the profile's servers over SSH; a real client then gets its static address (the management interface
/// shows it), and clearing the settings removes the file.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ClientConfigTests(VpnCrlLab lab) : IClassFixture<VpnCrlLab>
{
    [Fact]
    public async Task A_static_address_reaches_the_server_and_the_client_gets_it()
    {
        var site = await lab.ServerAsync();
        var dave = await lab.UserAsync("dave");
        var put = await lab.Admin.PutAsJsonAsync("/api/v1/vpn-users/dave/client-config",
            new { profile = VpnCrlLab.Profile, staticAddress = "10.8.0.200", routes = new[] { "192.168.50.0/24", "172.16.0.0/12" } });
        Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        var body = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("pushes")[0].GetProperty("ok").GetBoolean(), body.ToString());

        var ccd = Path.Combine(site.Lab.Directory, "ccd", "dave");
        Assert.Equal("ifconfig-push 10.8.0.200 255.255.255.0\niroute 192.168.50.0 255.255.255.0\niroute 172.16.0.0 255.240.0.0\n", await File.ReadAllTextAsync(ccd));
        await using (var session = await site.Lab.StartSessionAsync(dave.Cert, dave.Key))
        {
            Assert.True(session.Connected, session.ToString());
            Assert.Equal("10.8.0.200", session.VirtualAddress);
            var status = await site.Lab.ManagementAsync("status 3");
            var row = status.Split('\n').Single(l => l.StartsWith("CLIENT_LIST\tdave\t", StringComparison.Ordinal)).Split('\t');
            Assert.Contains("10.8.0.200", row);
        }

        var shown = await lab.Admin.GetFromJsonAsync<JsonElement>("/api/v1/vpn-users/dave/client-config");
        Assert.Equal("10.8.0.200", shown[0].GetProperty("staticAddress").GetString());
        var admin = await lab.LoginAsync(await lab.CreateOperatorAsync(AdminPortal.Web.Security.Roles.Admin));
        var page = WebUtility.HtmlDecode(await admin.GetStringAsync("/vpn-users/dave"));
        Assert.Contains("Static address and routes", page);
        Assert.Contains("10.8.0.200", page);
        Assert.Contains("Save and push", page);

        var cleared = await lab.Admin.PutAsJsonAsync("/api/v1/vpn-users/dave/client-config", new { profile = VpnCrlLab.Profile });
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.False(File.Exists(ccd));
        await using var db = await lab.DbAsync();
        Assert.Equal(2, await db.AuditEvents.CountAsync(e => e.Action == "vpn.client-config.changed" && e.Target == "vpn-user:dave"));
        Assert.Equal(2, await db.AuditEvents.CountAsync(e => e.Action == "vpn.client-config.pushed" && e.Target == "vpn-user:dave" && e.Outcome == "success"));
    }

    public static TheoryData<string, object, HttpStatusCode, string> BadSettings => new()
    {
        { "outside the network", new { staticAddress = "10.9.0.5" }, HttpStatusCode.BadRequest, "not inside the profile's network" },
        { "the server's own address", new { staticAddress = "10.8.0.1" }, HttpStatusCode.BadRequest, "server's own address" },
        { "the network address", new { staticAddress = "10.8.0.0" }, HttpStatusCode.BadRequest, "network or broadcast" },
        { "the broadcast address", new { staticAddress = "10.8.0.255" }, HttpStatusCode.BadRequest, "network or broadcast" },
        { "an address of the dynamic pool", new { staticAddress = "10.8.0.50" }, HttpStatusCode.BadRequest, "static addresses are 10.8.0.192 to 10.8.0.254" },
        { "not an address", new { staticAddress = "10.8.0.5; reboot" }, HttpStatusCode.BadRequest, "not an IPv4 address" },
        { "a short form", new { staticAddress = "10.8.5" }, HttpStatusCode.BadRequest, "not an IPv4 address" },
        { "a route with host bits", new { routes = new[] { "192.168.50.1/24" } }, HttpStatusCode.BadRequest, "did you mean 192.168.50.0/24" },
        { "a route that is no CIDR", new { routes = new[] { "192.168.50.0 255.255.255.0" } }, HttpStatusCode.BadRequest, "CIDR" },
        { "a route over the VPN itself", new { routes = new[] { "10.0.0.0/8" } }, HttpStatusCode.BadRequest, "overlaps" },
        { "a default route", new { routes = new[] { "0.0.0.0/0" } }, HttpStatusCode.BadRequest, "default route" },
        { "an address someone has", new { staticAddress = "10.8.0.201" }, HttpStatusCode.Conflict, "already the static address of 'erin'" },
        { "an unknown profile", new { profile = "nope", staticAddress = "10.8.0.209" }, HttpStatusCode.NotFound, "nope" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Bad_settings_are_refused_and_nothing_is_stored(string why, object body, HttpStatusCode status, string message)
    {
        _ = why;
        if (!await UserExistsAsync("frank")) await lab.UserAsync("frank");
        if (!await UserExistsAsync("erin"))
        {
            await lab.UserAsync("erin");
            var erin = await lab.Admin.PutAsJsonAsync("/api/v1/vpn-users/erin/client-config", new { staticAddress = "10.8.0.201" });
            Assert.Equal(HttpStatusCode.OK, erin.StatusCode);
        }
        var json = JsonSerializer.SerializeToElement(body);
        var r = await lab.Admin.PutAsync("/api/v1/vpn-users/frank/client-config", JsonContent.Create(json));
        Assert.Equal(status, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Contains(message, await r.Content.ReadAsStringAsync());
        await using var db = await lab.DbAsync();
        Assert.False(await db.Set<AdminPortal.Data.ClientConfigs.VpnClientConfig>().AnyAsync(c => c.User!.Name == "frank"));
    }

    [Fact]
    public async Task An_unknown_user_is_not_found()
    {
        var r = await lab.Admin.PutAsJsonAsync("/api/v1/vpn-users/nobody-here/client-config", new { staticAddress = "10.8.0.209" });
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
    }

    [Fact]
    public void Server_conf_gets_one_route_line_per_network_behind_a_client()
    {
        Assert.Equal(["route 172.16.0.0 255.240.0.0", "route 192.168.50.0 255.255.255.0"],
            ClientConfigFiles.ServerRouteLines(["192.168.50.0/24", "172.16.0.0/12", "192.168.50.0/24"]));
        Assert.Null(ClientConfigFiles.Render(null, [], "10.8.0.0/24"));
    }

    private async Task<bool> UserExistsAsync(string name)
    {
        await using var db = await lab.DbAsync();
        return await db.VpnUsers.AnyAsync(u => u.Name == name);
    }
}
