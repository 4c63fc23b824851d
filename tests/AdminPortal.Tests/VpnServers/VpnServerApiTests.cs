using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.VpnServers;

/// <summary>Adding VPN servers through the API: defaults, typed errors for bad input, and nothing stored when refused.</summary>
[SupportedOSPlatform("linux")]
public sealed class VpnServerApiTests(VpnServerLab lab) : IClassFixture<VpnServerLab>, IAsyncLifetime
{
    private string _host = null!;

    public async Task InitializeAsync()
    {
        await lab.EnsureProfileAsync();
        _host = await lab.AddHostAsync(await lab.SshdAsync(), user: "root");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<int> CountAsync()
    {
        await using var db = await lab.DbAsync();
        return await db.VpnServers.CountAsync();
    }

    [Fact]
    public async Task A_server_gets_its_defaults_is_listed_and_audited()
    {
        var name = $"def-{Guid.NewGuid():N}"[..12];
        var r = await lab.Admin.PostAsJsonAsync("/api/v1/vpn-servers", new { name, host = _host, profile = VpnServerLab.Profile });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var s = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"/etc/openvpn/server/{name}", s.GetProperty("configDir").GetString());
        Assert.Equal("systemd", s.GetProperty("runMode").GetString());
        Assert.Equal($"openvpn-server@{name}.service", s.GetProperty("serviceName").GetString());
        Assert.Equal($"/etc/openvpn/server/{name}/mgmt.sock", s.GetProperty("managementSocket").GetString());
        Assert.Equal("nobody", s.GetProperty("user").GetString());
        Assert.Equal("nogroup", s.GetProperty("group").GetString());
        var list = await lab.Admin.GetFromJsonAsync<JsonElement>("/api/v1/vpn-servers");
        Assert.Contains(list.EnumerateArray(), x => x.GetProperty("name").GetString() == name && x.GetProperty("host").GetString() == _host);
        var audit = await lab.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/audit?action=vpn.server.added&limit=50");
        Assert.Contains($"vpn-server:{name}", audit.ToString());
        var again = await lab.Admin.PostAsJsonAsync("/api/v1/vpn-servers", new { name, host = _host, profile = VpnServerLab.Profile });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    public static TheoryData<string, string, HttpStatusCode> BadBodies => new()
    {
        { """{"name":"x;touch /tmp/p","host":"H","profile":"P"}""", "name", HttpStatusCode.BadRequest },
        { """{"name":"ok","host":"$(id)","profile":"P"}""", "host", HttpStatusCode.BadRequest },
        { """{"name":"ok","host":"H","profile":"P","configDir":"relative/dir"}""", "configDir", HttpStatusCode.BadRequest },
        { """{"name":"ok","host":"H","profile":"P","configDir":"/etc/openvpn/../shadow"}""", "configDir", HttpStatusCode.BadRequest },
        { """{"name":"ok","host":"H","profile":"P","configDir":"/etc/open vpn"}""", "configDir", HttpStatusCode.BadRequest },
        { """{"name":"ok","host":"H","profile":"P","configDir":"/etc/x'; rm -rf /'"}""", "configDir", HttpStatusCode.BadRequest },
        { """{"name":"ok","host":"H","profile":"P","runMode":"cron"}""", "runMode", HttpStatusCode.BadRequest },
        { """{"name":"ok","host":"H","profile":"P","serviceName":"-x;reboot"}""", "serviceName", HttpStatusCode.BadRequest },
        { """{"name":"ok","host":"H","profile":"P","runMode":"daemon","netNamespace":"Bad_NS"}""", "netNamespace", HttpStatusCode.BadRequest },
        { """{"name":"ok","host":"H","profile":"P","netNamespace":"ns1"}""", "netNamespace", HttpStatusCode.BadRequest },
        { """{"name":"ok","host":"H","profile":"P","managementSocket":"/tmp/`id`.sock"}""", "managementSocket", HttpStatusCode.BadRequest },
        { """{"name":"ok","host":"H","profile":"P","user":"root;id"}""", "user", HttpStatusCode.BadRequest },
        { """{"name":"ok","host":"H","profile":"P","group":"$(id)"}""", "group", HttpStatusCode.BadRequest },
        { """{"name":"ok","host":"H","profile":"P","serverDirectives":["up /bin/sh"]}""", "serverDirectives", HttpStatusCode.BadRequest },
        { """{"name":"ok","host":"H","profile":"P","serverDirectives":["verb 3;id"]}""", "serverDirectives", HttpStatusCode.BadRequest },
        { """{"name":"ok","host":"no-such-host","profile":"P"}""", "Host not found", HttpStatusCode.NotFound },
        { """{"name":"ok","host":"H","profile":"no-such-profile"}""", "VPN profile not found", HttpStatusCode.NotFound },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_input_is_refused_naming_the_field_and_nothing_is_stored(string body, string named, HttpStatusCode status)
    {
        var before = await CountAsync();
        var json = body.Replace("\"H\"", $"\"{_host}\"").Replace("\"P\"", $"\"{VpnServerLab.Profile}\"");
        var r = await lab.Admin.PostAsync("/api/v1/vpn-servers", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(status, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Contains(named, await r.Content.ReadAsStringAsync());
        Assert.Equal(before, await CountAsync());
    }
}
