using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Security;

namespace AdminPortal.Tests.Api;

/// <summary>
/// A 201's Location is built from the name the caller gave: for every name the validator allows it is the path with the
/// name percent-encoded (one path segment), never a header that fails after the change is committed.
/// </summary>
public sealed class CreatedLocationTests(PortalApp app) : IClassFixture<PortalApp>
{
    public static TheoryData<string, string, string, string, string?> Cases => new()
    {
        // what, POST path, body, the name in the Location, where a GET of the Location finds it (or null: no such GET)
        { "a VPN user with '@'", "/api/v1/vpn-users", """{"name":"a.b_c-d@e"}""", "a.b_c-d@e", "name" },
        { "a VPN profile with '@'", "/api/v1/vpn-profiles", """{"name":"p.q_r-s@t","remoteHost":"vpn.example.test","port":1194,"protocol":"udp"}""", "p.q_r-s@t", null },
        { "an API token", "/api/v1/tokens", """{"name":"t.o_k-e.1","role":"Auditor"}""", "t.o_k-e.1", null },
        { "an SSH credential", "/api/v1/credentials", """{"name":"c.r_e-d.1"}""", "c.r_e-d.1", null },
    };

    [Theory, MemberData(nameof(Cases))]
    public async Task A_created_resource_has_its_escaped_name_in_the_location(string what, string path, string body, string name, string? nameField)
    {
        var admin = await app.TokenClientAsync(Roles.Admin);
        await EnsureCaAsync(admin);
        var r = await admin.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var text = await r.Content.ReadAsStringAsync();
        SecretsScan.ScanArtifacts.RecordJson(text);
        Assert.True(r.StatusCode == HttpStatusCode.Created, $"{what}: {(int)r.StatusCode} {text}");
        Assert.Equal(path + "/" + Uri.EscapeDataString(name), r.Headers.Location?.OriginalString);
        if (nameField is null) return;
        var found = await admin.GetAsync(r.Headers.Location);
        Assert.True(found.StatusCode == HttpStatusCode.OK, $"{what}: GET {r.Headers.Location} answered {(int)found.StatusCode}");
        Assert.Equal(name, (await found.Content.ReadFromJsonAsync<JsonElement>()).GetProperty(nameField).GetString());
    }

    private static async Task EnsureCaAsync(HttpClient admin)
    {
        if ((await admin.GetAsync("/api/v1/ca")).StatusCode == HttpStatusCode.OK) return;
        var r = await admin.PostAsJsonAsync("/api/v1/ca", new { name = "location-ca" });
        Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, await r.Content.ReadAsStringAsync());
    }
}
