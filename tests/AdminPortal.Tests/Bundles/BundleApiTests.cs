using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AdminPortal.Pki;
using AdminPortal.Web.Bundles;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.Bundles;

/// <summary>Profiles, bundles and links through the API: the platform bundles' structure, bad input, expiry, and no secret leaking.</summary>
public sealed class BundleApiTests(ClockedPortal app) : IClassFixture<ClockedPortal>, IAsyncLifetime
{
    private HttpClient _admin = null!;
    private HttpClient _helpdesk = null!;

    public async Task InitializeAsync()
    {
        _admin = await app.TokenClientAsync(Roles.Admin);
        _helpdesk = await app.TokenClientAsync(Roles.Helpdesk);
        await BundleSetup.EnsureCaAndProfileAsync(_admin, "Bundle-Test-CA", new
        {
            name = "corp", remoteHost = "vpn.example.test", port = 1194, protocol = "udp",
            pushRoutes = new[] { "10.20.0.0/16" }, pushDns = new[] { "10.20.0.53" }, clientDirectives = new[] { "verb 4", "redirect-gateway def1" },
        });
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<string> UserAsync()
    {
        var name = $"u{Guid.NewGuid():N}"[..12];
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/api/v1/vpn-users", new { name, email = $"{name}@example.test" })).StatusCode);
        return name;
    }

    [Theory]
    [InlineData("windows", new[] { "{0}.ovpn", "README.txt" }, "OpenVPN GUI")]
    [InlineData("macos", new[] { "{0}.tblk/{0}.ovpn", "{0}.ovpn", "README.txt" }, "Tunnelblick")]
    [InlineData("linux", new[] { "{0}.conf", "{0}.ovpn", "README.txt" }, "nmcli connection import type openvpn file {0}.ovpn")]
    [InlineData("ios", new[] { "{0}.ovpn", "README.txt" }, "App Store")]
    [InlineData("android", new[] { "{0}.ovpn", "README.txt" }, "Google Play")]
    public async Task Each_platform_bundle_holds_its_files_and_a_readme_naming_profile_server_expiry_and_helpdesk(string platform, string[] files, string instruction)
    {
        var user = await UserAsync();
        var r = await _helpdesk.GetAsync($"/api/v1/vpn-users/{user}/bundle?profile=corp&platform={platform}");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("application/zip", r.Content.Headers.ContentType?.MediaType);
        var baseName = $"corp-{user}";
        using var zip = new ZipArchive(new MemoryStream(await r.Content.ReadAsByteArrayAsync()));
        Assert.Equal(files.Select(f => string.Format(f, baseName)).Order(), zip.Entries.Select(e => e.FullName).Order());

        var readme = Read(zip, "README.txt");
        var expiry = (await (await _helpdesk.GetAsync($"/api/v1/vpn-users/{user}")).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("certificates")[0].GetProperty("notAfter").GetDateTimeOffset();
        Assert.Contains("corp", readme);
        Assert.Contains("vpn.example.test", readme);
        Assert.Contains(expiry.UtcDateTime.ToString("yyyy-MM-dd"), readme);
        Assert.Contains("the Service Desk, +41 44 000 00 00", readme);
        Assert.Contains(string.Format(instruction, baseName), readme);

        var ovpn = Read(zip, zip.Entries.First(e => e.FullName.EndsWith(".ovpn")).FullName);
        foreach (var block in new[] { "<ca>", "<cert>", "<key>", "<tls-crypt>", "-----BEGIN OpenVPN Static key V1-----" }) Assert.Contains(block, ovpn);
        Assert.Contains("remote vpn.example.test 1194", ovpn);
        Assert.Contains("verify-x509-name server.corp name", ovpn);
        Assert.Contains("remote-cert-tls server", ovpn);
        Assert.Contains("redirect-gateway def1", ovpn);
        Assert.DoesNotContain("script-security", ovpn);
        if (platform == "linux") Assert.Equal(ovpn, Read(zip, $"{baseName}.conf"));
    }

    [Fact]
    public async Task Server_files_hold_a_config_that_checks_the_crl_and_the_profile_list_holds_no_key()
    {
        var r = await _admin.GetAsync("/api/v1/vpn-profiles/corp/server-files");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var files = Zips.Text(await r.Content.ReadAsByteArrayAsync());
        Assert.Equal(["ca.pem", "crl.pem", "server.conf", "server.crt", "server.key", "tls-crypt.key"], files.Keys.Order());
        var conf = files["server.conf"];
        foreach (var line in new[] { "crl-verify crl.pem", "tls-crypt tls-crypt.key", "remote-cert-tls client", "server 10.8.0.0 255.255.255.0 nopool\n", "ifconfig-pool 10.8.0.2 10.8.0.191 255.255.255.0\n", "push \"route 10.20.0.0 255.255.0.0\"", "push \"dhcp-option DNS 10.20.0.53\"" })
            Assert.Contains(line, conf);
        Assert.StartsWith("-----BEGIN X509 CRL-----", files["crl.pem"]);

        var list = await _helpdesk.GetStringAsync("/api/v1/vpn-profiles");
        Assert.DoesNotContain("Static key", list);
        Assert.DoesNotContain("PRIVATE KEY", list);
        Assert.Contains("server.corp", list);
    }

    [Theory]
    [InlineData("up /tmp/evil.sh", "run programs")]
    [InlineData("script-security 2", "run programs")]
    [InlineData("plugin /usr/lib/evil.so", "run programs")]
    [InlineData("--down /bin/sh", "run programs")]
    [InlineData("route-nopull\nup /bin/sh", "one line")]
    [InlineData("push-peer-info", "not an allowed client directive")]
    [InlineData("route 10.0.0.0 255.0.0.0 $(id)", "arguments")]
    public async Task Forbidden_client_directives_are_refused_and_nothing_is_stored(string directive, string message)
    {
        var name = $"p{Guid.NewGuid():N}"[..10];
        var r = await _admin.PostAsJsonAsync("/api/v1/vpn-profiles", new { name, remoteHost = "vpn.example.test", port = 1194, protocol = "udp", clientDirectives = new[] { directive } });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains(message, await r.Content.ReadAsStringAsync());
        await using var db = await app.DbAsync();
        Assert.False(await db.VpnProfiles.AnyAsync(p => p.Name == name));
        Assert.False(await db.Certificates.AnyAsync(c => c.Profile == name));
    }

    [Theory]
    [InlineData("""{"name":"bad name","remoteHost":"vpn.example.test","port":1194,"protocol":"udp"}""", "name")]
    [InlineData("""{"name":"p1","remoteHost":"vpn.example.test; rm -rf /","port":1194,"protocol":"udp"}""", "remoteHost")]
    [InlineData("""{"name":"p1","remoteHost":"vpn.example.test","port":70000,"protocol":"udp"}""", "port")]
    [InlineData("""{"name":"p1","remoteHost":"vpn.example.test","port":1194,"protocol":"sctp"}""", "protocol")]
    [InlineData("""{"name":"p1","remoteHost":"vpn.example.test","port":1194,"protocol":"udp","pushRoutes":["10.0.0.1/8"]}""", "pushRoutes")]
    [InlineData("""{"name":"p1","remoteHost":"vpn.example.test","port":1194,"protocol":"udp","dataCiphers":["BF-CBC"]}""", "dataCiphers")]
    public async Task Bad_profiles_get_a_400_naming_the_field(string body, string field)
    {
        var r = await _admin.PostAsync("/api/v1/vpn-profiles", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.True((await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Bad_bundle_requests_get_clear_errors()
    {
        var user = await UserAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await _helpdesk.GetAsync($"/api/v1/vpn-users/{user}/bundle?profile=corp&platform=amiga")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _helpdesk.GetAsync($"/api/v1/vpn-users/{user}/bundle?profile=nope&platform=ovpn")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _helpdesk.GetAsync("/api/v1/vpn-users/nobody-here/bundle?profile=corp&platform=ovpn")).StatusCode);
        var shortPass = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/vpn-users/{user}/bundle?profile=corp&platform=ovpn");
        shortPass.Headers.Add(BundleEndpoints.PassphraseHeader, "short");
        Assert.Equal(HttpStatusCode.BadRequest, (await _helpdesk.SendAsync(shortPass)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _helpdesk.PostAsJsonAsync($"/api/v1/vpn-users/{user}/download-links", new { profile = "corp", platform = "ovpn", expiresInHours = 100000 })).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsJsonAsync($"/api/v1/vpn-users/{user}/revoke", new { reason = "superseded" })).StatusCode);
        var revoked = await _helpdesk.GetAsync($"/api/v1/vpn-users/{user}/bundle?profile=corp&platform=ovpn");
        Assert.Equal(HttpStatusCode.Conflict, revoked.StatusCode);
        Assert.Contains("no active certificate", await revoked.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_bundle_by_token_takes_the_fast_path_and_answers_as_the_general_pipeline_does_for_a_session()
    {
        var user = await UserAsync();
        var url = $"/api/v1/vpn-users/{user}/bundle?profile=corp&platform=ovpn";
        using var browser = await new AdminPortal.Tests.Security.CookieBrowser(app).LoginAsync(await app.CreateOperatorAsync(Roles.Helpdesk));

        var byToken = await _helpdesk.GetAsync(url); // BundleFastPath
        var bySession = await browser.NoFollow.GetAsync(url); // routing, cookie authentication, the endpoint

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (byToken.StatusCode, bySession.StatusCode));
        Assert.Equal(await bySession.Content.ReadAsByteArrayAsync(), await byToken.Content.ReadAsByteArrayAsync());
        static string Headers(HttpResponseMessage r) => string.Join("\n", r.Headers.Concat(r.Content.Headers)
            .Where(h => h.Key is not ("Date" or "Set-Cookie")).Select(h => $"{h.Key}: {string.Join(",", h.Value)}").Order());
        Assert.Equal(Headers(bySession), Headers(byToken));
        Assert.Contains("no-store", byToken.Headers.CacheControl!.ToString());

        await using var db = await app.DbAsync();
        var actors = await db.AuditEvents.Where(e => e.Action == "bundle.downloaded" && e.Target == $"vpn-user:{user}").Select(e => e.Actor).ToListAsync();
        Assert.Equal(2, actors.Count);
        Assert.Contains(actors, a => a.StartsWith("token:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/api/v1/vpn-users/a/bundle", "a")]
    [InlineData("/API/V1/VPN-USERS/a.b-c/BUNDLE", "a.b-c")]
    [InlineData("/api/v1/vpn-users//bundle", null)]
    [InlineData("/api/v1/vpn-users/a/b/bundle", null)]
    [InlineData("/api/v1/vpn-users/a/bundle/", null)]
    [InlineData("/api/v1/vpn-users/a/download-links", null)]
    public void The_fast_path_takes_exactly_the_bundle_route(string path, string? name) =>
        Assert.Equal(name, BundleFastPath.UserName(path));

    [Fact]
    public async Task A_bundle_for_a_csr_user_is_refused_because_the_portal_never_had_the_key()
    {
        var name = $"c{Guid.NewGuid():N}"[..12];
        var keys = KeyPairs.Generate(KeyAlgorithm.EcdsaP256);
        var csr = new Org.BouncyCastle.Pkcs.Pkcs10CertificationRequest("SHA256withECDSA", CertificateBuilderName(name), keys.Public, null, keys.Private);
        var pem = Pem.Block("CERTIFICATE REQUEST", csr.GetEncoded());
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/api/v1/vpn-users", new { name, csr = pem })).StatusCode);
        var r = await _helpdesk.GetAsync($"/api/v1/vpn-users/{name}/bundle?profile=corp&platform=ovpn");
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        Assert.Contains("CSR", await r.Content.ReadAsStringAsync());
    }

    private static Org.BouncyCastle.Asn1.X509.X509Name CertificateBuilderName(string cn) => CertificateBuilder.Name(cn);

    [Fact]
    public async Task Expired_and_withdrawn_links_answer_410_and_a_forged_one_404_and_nothing_of_the_token_or_key_reaches_the_audit_trail()
    {
        var user = await UserAsync();
        var anonymous = app.CreateClient();
        var shortLived = await CreateLinkAsync(user, hours: 1);
        var withdrawn = await CreateLinkAsync(user, hours: 24);
        var withdrawnId = (await _helpdesk.GetFromJsonAsync<JsonElement>($"/api/v1/vpn-users/{user}/download-links"))
            .EnumerateArray().First(l => l.GetProperty("expiresAt").GetDateTimeOffset() > app.Clock.GetUtcNow().AddHours(2)).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.OK, (await _helpdesk.PostAsync($"/api/v1/download-links/{withdrawnId}/revoke", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _helpdesk.PostAsync($"/api/v1/download-links/{withdrawnId}/revoke", null)).StatusCode);
        var page = await anonymous.GetAsync(withdrawn);
        Assert.Equal(HttpStatusCode.Gone, page.StatusCode);
        Assert.Contains("withdrawn", await page.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(shortLived)).StatusCode);
        app.Clock.Advance(TimeSpan.FromHours(2));
        var expired = await anonymous.PostAsync(shortLived, new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        Assert.Contains("expired", await expired.Content.ReadAsStringAsync());

        var forged = shortLived[..^4] + (shortLived.EndsWith("AAAA") ? "BBBB" : "AAAA");
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(forged)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/d/not-even-a-token")).StatusCode);

        await using var db = await app.DbAsync();
        var audit = string.Join("\n", await db.AuditEvents.Where(e => e.Target == $"vpn-user:{user}").Select(e => e.Action + " " + e.Details).ToListAsync());
        Assert.Contains("bundle.link.created", audit);
        Assert.Contains("bundle.link.revoked", audit);
        Assert.DoesNotContain(shortLived.Split('/').Last(), audit);
        Assert.DoesNotContain("PRIVATE KEY", audit);
        Assert.False(await db.DownloadLinks.AnyAsync(l => l.UsedAt != null && l.VpnUser!.Name == user));
    }

    private async Task<string> CreateLinkAsync(string user, int hours)
    {
        var r = await _helpdesk.PostAsJsonAsync($"/api/v1/vpn-users/{user}/download-links", new { profile = "corp", platform = "windows", expiresInHours = hours });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var body = await r.Content.ReadAsStringAsync();
        Assert.DoesNotContain("PRIVATE KEY", body);
        return new Uri(JsonDocument.Parse(body).RootElement.GetProperty("url").GetString()!).AbsolutePath;
    }

    private static string Read(ZipArchive zip, string name)
    {
        using var r = new StreamReader(zip.GetEntry(name)!.Open(), Encoding.UTF8);
        return r.ReadToEnd();
    }
}
