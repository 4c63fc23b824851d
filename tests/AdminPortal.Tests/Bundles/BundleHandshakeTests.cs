using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.Security;

namespace AdminPortal.Tests.Bundles;

/// <summary>
/// A profile's server files start a real OpenVPN 2.6 server in a test namespace; profiles fetched over real HTTP
/// through one-time links connect to it (also with a passphrase-protected key); a link's second use is 410;
/// once the user is revoked and the server has the new CRL, the same profile is rejected.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class BundleHandshakeTests(KestrelPortal app) : IClassFixture<KestrelPortal>
{
    [Fact]
    public async Task Profiles_from_one_time_links_connect_to_a_server_installed_from_the_server_files_and_stop_once_revoked()
    {
        var admin = await app.HttpTokenClientAsync(Roles.Admin);
        var helpdesk = await app.HttpTokenClientAsync(Roles.Helpdesk);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/ca", new { name = "Bundle-CA" })).StatusCode);
        foreach (var name in new[] { "alice", "bob" })
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/vpn-users", new { name })).StatusCode);
        var created = await admin.PostAsJsonAsync("/api/v1/vpn-profiles", new { name = "corp", remoteHost = "127.0.0.1", port = OpenVpnLab.DefaultPort, protocol = "tcp" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var zip = await admin.GetAsync("/api/v1/vpn-profiles/corp/server-files");
        Assert.Equal(HttpStatusCode.OK, zip.StatusCode);
        await using var lab = await OpenVpnLab.StartFromServerFilesAsync(Zips.Text(await zip.Content.ReadAsByteArrayAsync()));

        var person = app.Anonymous();
        var aliceLink = await LinkAsync(helpdesk, "alice", "ovpn");
        var page = await person.GetAsync(aliceLink);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("openvpn://import-profile/", html);
        Assert.Contains("data:image/png;base64,", html);
        var alice = await DownloadAsync(person, aliceLink, passphrase: null);
        Assert.Contains("-----BEGIN PRIVATE KEY-----", alice);

        var connected = await lab.ConnectWithProfileAsync(alice);
        Assert.True(connected.Connected, connected.ToString());

        var second = await person.PostAsync(aliceLink, new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.Gone, second.StatusCode);
        Assert.Contains("already used", await second.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Gone, (await person.GetAsync(aliceLink)).StatusCode);

        var bobLink = await LinkAsync(helpdesk, "bob", "ovpn");
        var bob = await DownloadAsync(person, bobLink, passphrase: "correct horse battery");
        Assert.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", bob);
        Assert.DoesNotContain("-----BEGIN PRIVATE KEY-----", bob);
        var withPassphrase = await lab.ConnectWithProfileAsync(bob, keyPassphrase: "correct horse battery");
        Assert.True(withPassphrase.Connected, withPassphrase.ToString());

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/api/v1/vpn-users/alice/revoke", new { reason = "keyCompromise" })).StatusCode);
        lab.ReplaceCrl(await person.GetStringAsync("/pki/crl.pem"));
        var revoked = await lab.ConnectWithProfileAsync(alice);
        Assert.True(revoked.Rejected, revoked.ToString());
        Assert.Equal("certificate revoked", revoked.Reason);
        Assert.True((await lab.ConnectWithProfileAsync(bob, keyPassphrase: "correct horse battery")).Connected);
    }

    /// <summary>The path of a new link (the configured public address is not this test server's).</summary>
    private static async Task<string> LinkAsync(HttpClient helpdesk, string user, string platform)
    {
        var r = await helpdesk.PostAsJsonAsync($"/api/v1/vpn-users/{user}/download-links", new { profile = "corp", platform });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var url = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!;
        return new Uri(url).AbsolutePath;
    }

    private static async Task<string> DownloadAsync(HttpClient person, string link, string? passphrase)
    {
        var r = await person.PostAsync(link, new FormUrlEncodedContent(passphrase is null ? [] : [new("passphrase", passphrase)]));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("no-store", r.Headers.CacheControl?.ToString());
        Assert.EndsWith(".ovpn", r.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        return await r.Content.ReadAsStringAsync();
    }

}
