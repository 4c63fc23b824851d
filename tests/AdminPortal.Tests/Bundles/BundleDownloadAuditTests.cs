using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Security;

namespace AdminPortal.Tests.Bundles;

/// <summary>
/// Downloads are audited through the group commit (AuditBatcher): many at once each get exactly one event
/// with the serial they carried, the chain still verifies, and a cached certificate is never served once
/// revoked or renewed.
/// </summary>
public sealed class BundleDownloadAuditTests(PortalApp app) : IClassFixture<PortalApp>, IAsyncLifetime
{
    private HttpClient _admin = null!;
    private HttpClient _helpdesk = null!;

    public async Task InitializeAsync()
    {
        _admin = await app.TokenClientAsync(Roles.Admin);
        _helpdesk = await app.TokenClientAsync(Roles.Helpdesk);
        await BundleSetup.EnsureCaAndProfileAsync(_admin, "Batch-Test-CA", new { name = "corp", remoteHost = "vpn.example.test", port = 1194, protocol = "udp" });
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Concurrent_downloads_each_get_exactly_one_audit_event_with_their_serial_and_the_chain_verifies()
    {
        var users = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => UserAsync()));
        var before = await LatestSequenceAsync();

        var downloads = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => DownloadAsync(users[i % users.Length])));

        Assert.All(downloads, d => Assert.Equal(HttpStatusCode.OK, d.Status));
        var events = await DownloadEventsAsync(after: before);
        Assert.Equal(200, events.Count);
        foreach (var user in users)
        {
            var serial = await SerialAsync(user);
            var mine = events.Where(e => e.GetProperty("target").GetString() == $"vpn-user:{user}").ToList();
            Assert.Equal(downloads.Count(d => d.User == user), mine.Count);
            Assert.All(mine, e => Assert.Equal(serial, e.GetProperty("details").GetProperty("serial").GetString()!.TrimStart('0')));
            Assert.All(downloads.Where(d => d.User == user), d => Assert.Equal(serial, SerialIn(d.Body)));
        }
        Assert.All(events, e => Assert.Equal(Roles.Helpdesk, e.GetProperty("actorRole").GetString()));
        Assert.Equal(events.Count, events.Select(e => e.GetProperty("sequence").GetInt64()).Distinct().Count());

        var verify = await (await _admin.GetAsync("/api/v1/audit/verify")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(verify.GetProperty("ok").GetBoolean(), verify.ToString());
    }

    [Fact]
    public async Task A_cached_certificate_is_never_served_once_renewed_or_revoked()
    {
        var user = await UserAsync();
        var first = await DownloadAsync(user);
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(first.Body, (await DownloadAsync(user)).Body); // the finished file, kept encrypted, served again
        var before = await LatestSequenceAsync();

        Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsync($"/api/v1/vpn-users/{user}/renew", null)).StatusCode);
        var renewed = await DownloadAsync(user);
        Assert.Equal(HttpStatusCode.OK, renewed.Status);
        var serial = await SerialAsync(user);
        Assert.NotEqual(serial, SerialIn(first.Body));
        Assert.Equal(serial, SerialIn(renewed.Body));

        Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsJsonAsync($"/api/v1/vpn-users/{user}/revoke", new { reason = "keyCompromise" })).StatusCode);
        var refused = await DownloadAsync(user);
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.DoesNotContain("PRIVATE KEY", refused.Body);

        var recorded = Assert.Single(await DownloadEventsAsync(after: before));
        Assert.Equal(serial, recorded.GetProperty("details").GetProperty("serial").GetString()!.TrimStart('0'));
    }

    private sealed record Download(string User, HttpStatusCode Status, string Body);

    private async Task<Download> DownloadAsync(string user)
    {
        var r = await _helpdesk.GetAsync($"/api/v1/vpn-users/{user}/bundle?profile=corp&platform=ovpn");
        return new Download(user, r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    private async Task<string> UserAsync()
    {
        var name = $"b{Guid.NewGuid():N}"[..12];
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/api/v1/vpn-users", new { name })).StatusCode);
        return name;
    }

    private async Task<string> SerialAsync(string user)
    {
        var view = await (await _helpdesk.GetAsync($"/api/v1/vpn-users/{user}")).Content.ReadFromJsonAsync<JsonElement>();
        return view.GetProperty("certificates").EnumerateArray().First(c => c.GetProperty("status").GetString() == "active").GetProperty("serial").GetString()!.TrimStart('0');
    }

    /// <summary>The serial of the client certificate inline in a profile, read by .NET's X.509 parser.</summary>
    private static string SerialIn(string ovpn)
    {
        var pem = ovpn[(ovpn.IndexOf("<cert>", StringComparison.Ordinal) + 6)..ovpn.IndexOf("</cert>", StringComparison.Ordinal)];
        using var cert = X509Certificate2.CreateFromPem(pem);
        return cert.SerialNumber.TrimStart('0').ToLowerInvariant();
    }

    private async Task<long> LatestSequenceAsync()
    {
        var page = await (await _admin.GetAsync("/api/v1/audit?limit=1")).Content.ReadFromJsonAsync<JsonElement>();
        return page.GetProperty("items")[0].GetProperty("sequence").GetInt64();
    }

    private async Task<List<JsonElement>> DownloadEventsAsync(long after)
    {
        var page = await (await _admin.GetAsync("/api/v1/audit?action=bundle.downloaded&limit=500")).Content.ReadFromJsonAsync<JsonElement>();
        return page.GetProperty("items").EnumerateArray().Where(e => e.GetProperty("sequence").GetInt64() > after).ToList();
    }
}
