using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.Pki;

/// <summary>The PKI through its API, on one portal whose CA is created once; checked with OpenSSL.</summary>
public sealed class PkiApiTests : IClassFixture<PortalApp>, IAsyncLifetime, IDisposable
{
    private readonly PortalApp _app;
    private readonly OpenSsl _ssl = new();
    private HttpClient _admin = null!;

    public PkiApiTests(PortalApp app) => _app = app;

    public async Task InitializeAsync()
    {
        _admin = await _app.TokenClientAsync(Roles.Admin);
        var ca = await _admin.GetAsync("/api/v1/ca");
        if (ca.StatusCode == HttpStatusCode.NotFound)
        {
            var created = await _admin.PostAsJsonAsync("/api/v1/ca", new { name = "Test-VPN-CA", keyAlgorithm = "ecdsa-p256", validDays = 3650 });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;
    public void Dispose() => _ssl.Dispose();

    private static string NewName() => $"user-{Guid.NewGuid():N}"[..17];

    private async Task<JsonElement> IssueAsync(string name)
    {
        var r = await _admin.PostAsJsonAsync("/api/v1/vpn-users", new { name, email = $"{name}@example.test" });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        return await r.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_user_certificate_issued_through_the_api_verifies_against_the_published_ca()
    {
        var name = NewName();
        var issued = await IssueAsync(name);
        Assert.Equal(name, issued.GetProperty("name").GetString());
        Assert.Equal("active", issued.GetProperty("status").GetString());

        var anonymous = _app.CreateClient();
        var caPem = _ssl.Write("ca.pem", await anonymous.GetStringAsync("/pki/ca.pem"));
        var certPem = _ssl.Write("user.pem", issued.GetProperty("certificatePem").GetString()!);
        var (exit, output) = _ssl.Run("verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", caPem, certPem);
        Assert.True(exit == 0, output);
        var serial = _ssl.Run("x509", "-in", certPem, "-noout", "-serial").Output.Trim().Split('=')[1];
        Assert.Equal(issued.GetProperty("serial").GetString(), serial.TrimStart('0').ToLowerInvariant());
    }

    [Fact]
    public async Task Revocation_regenerates_the_crl_at_once_with_the_reason_and_a_higher_number()
    {
        var name = NewName();
        var issued = await IssueAsync(name);
        var anonymous = _app.CreateClient();
        var before = await CrlNumberAsync(anonymous);

        var revoked = await _admin.PostAsJsonAsync($"/api/v1/vpn-users/{name}/revoke", new { reason = "keyCompromise" });
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);

        var caPem = _ssl.Write("ca.pem", await anonymous.GetStringAsync("/pki/ca.pem"));
        var crlPem = _ssl.Write("crl.pem", await anonymous.GetStringAsync("/pki/crl.pem"));
        var text = _ssl.Run("crl", "-in", crlPem, "-noout", "-text").Output;
        Assert.Contains(issued.GetProperty("serial").GetString()!.ToUpperInvariant(), text.Replace(":", "").ToUpperInvariant());
        Assert.Contains("Key Compromise", text);
        Assert.DoesNotContain("Issuing Distribution Point", text);
        Assert.True(await CrlNumberAsync(anonymous) > before);

        var certPem = _ssl.Write("user.pem", issued.GetProperty("certificatePem").GetString()!);
        var (exit, output) = _ssl.Run("verify", "-crl_check", "-CAfile", caPem, "-CRLfile", crlPem, certPem);
        Assert.NotEqual(0, exit);
        Assert.Contains("certificate revoked", output);

        var der = await anonymous.GetByteArrayAsync("/pki/crl.der");
        Assert.Equal(0x30, der[0]);

        await using var db = await _app.DbAsync();
        var evt = await db.AuditEvents.OrderByDescending(e => e.Sequence).FirstAsync(e => e.Action == "pki.certificate.revoked" && e.Target == $"vpn-user:{name}");
        Assert.Contains("keyCompromise", evt.Details);
    }

    [Fact]
    public async Task A_certificate_issued_from_a_csr_carries_the_requesters_key_and_the_portal_keeps_no_key()
    {
        var key = _ssl.Write("csr.key", "");
        _ssl.Run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key);
        var csrPath = Path.Combine(_ssl.Dir, "req.csr");
        Assert.Equal(0, _ssl.Run("req", "-new", "-key", key, "-subj", "/CN=ignored/O=Whatever", "-out", csrPath).Exit);
        var name = NewName();

        var r = await _admin.PostAsJsonAsync("/api/v1/vpn-users", new { name, csr = File.ReadAllText(csrPath) });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var certPem = _ssl.Write("csr-cert.pem", (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("certificatePem").GetString()!);

        // The certificate's public key is the CSR's; its subject is the portal's (the validated user name).
        Assert.Equal(_ssl.Run("pkey", "-in", key, "-pubout").Output, _ssl.Run("x509", "-in", certPem, "-noout", "-pubkey").Output);
        Assert.Contains($"CN = {name}", _ssl.Run("x509", "-in", certPem, "-noout", "-subject").Output);
        await using var db = await _app.DbAsync();
        Assert.Null((await db.Certificates.SingleAsync(c => c.CommonName == name)).EncryptedKey);
    }

    [Fact]
    public async Task Revoking_an_already_revoked_certificate_is_a_conflict()
    {
        var name = NewName();
        await IssueAsync(name);
        Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsJsonAsync($"/api/v1/vpn-users/{name}/revoke", new { reason = "superseded" })).StatusCode);
        var again = await _admin.PostAsJsonAsync($"/api/v1/vpn-users/{name}/revoke", new { reason = "superseded" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Renewal_issues_a_new_certificate_and_revokes_the_old_one_as_superseded()
    {
        var name = NewName();
        var first = await IssueAsync(name);
        var renewed = await (await _admin.PostAsync($"/api/v1/vpn-users/{name}/renew", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.NotEqual(first.GetProperty("serial").GetString(), renewed.GetProperty("serial").GetString());
        var detail = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/vpn-users/{name}");
        var certs = detail.GetProperty("certificates").EnumerateArray().ToList();
        Assert.Equal(2, certs.Count);
        Assert.Contains(certs, c => c.GetProperty("status").GetString() == "revoked" && c.GetProperty("revocationReason").GetString() == "superseded");
        Assert.Equal("active", detail.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Parallel_issuance_gives_distinct_serials_and_one_active_certificate_per_user()
    {
        // 500 issuances from 10 parallel tasks.
        var serials = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                var r = await _admin.PostAsJsonAsync("/api/v1/vpn-users", new { name = NewName() });
                Assert.Equal(HttpStatusCode.Created, r.StatusCode);
                serials.Add((await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("serial").GetString()!);
            }
        })));
        Assert.Equal(500, serials.Count);
        Assert.Equal(500, serials.Distinct().Count());

        // The same user twice at once: exactly one wins, the other is a clear conflict.
        var twin = NewName();
        var both = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => _admin.PostAsJsonAsync("/api/v1/vpn-users", new { name = twin })));
        Assert.Single(both, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Single(both, r => r.StatusCode == HttpStatusCode.Conflict);
    }

    public static TheoryData<string, string> BadUsers => new()
    {
        { """{"name":"has space"}""", "name" },
        { """{"name":"semi;colon"}""", "name" },
        { """{"name":"$(touch /tmp/pwned)"}""", "name" },
        { """{"name":"new\nline"}""", "name" },
        { """{"name":"jürgen"}""", "name" },
        { """{"name":"-leading-dash"}""", "name" },
        { "{\"name\":\"" + new string('a', 65) + "\"}", "name" },
        { """{"name":"ok-name","keyAlgorithm":"dsa-1024"}""", "keyAlgorithm" },
        { """{"name":"ok-name","validDays":0}""", "validDays" },
        { """{"name":"ok-name","email":"not an email"}""", "email" },
        { """{"name":"ok-name","csr":"-----BEGIN CERTIFICATE REQUEST-----\nZ2FyYmFnZQ==\n-----END CERTIFICATE REQUEST-----"}""", "csr" },
    };

    [Theory]
    [MemberData(nameof(BadUsers))]
    public async Task Bad_user_input_is_a_400_naming_the_field_and_stores_nothing(string body, string field)
    {
        await using var db = await _app.DbAsync();
        var (users, certs) = (await db.VpnUsers.CountAsync(), await db.Certificates.CountAsync());
        var r = await _admin.PostAsync("/api/v1/vpn-users", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var problem = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), await r.Content.ReadAsStringAsync());
        Assert.Equal((users, certs), (await db.VpnUsers.CountAsync(), await db.Certificates.CountAsync()));
        Assert.False(File.Exists("/tmp/pwned"));
    }

    [Fact]
    public async Task An_unknown_revocation_reason_is_a_400_and_revokes_nothing()
    {
        var name = NewName();
        await IssueAsync(name);
        var r = await _admin.PostAsJsonAsync($"/api/v1/vpn-users/{name}/revoke", new { reason = "becauseISaidSo" });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var detail = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/vpn-users/{name}");
        Assert.Equal("active", detail.GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_ca_is_created_once_and_its_key_is_encrypted_at_rest()
    {
        var again = await _admin.PostAsJsonAsync("/api/v1/ca", new { name = "Second-CA" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        await using var db = await _app.DbAsync();
        var ca = await db.CertificateAuthorities.SingleAsync();
        Assert.Equal(1, ca.EncryptedKey[0]); // SecretProtector's format, not a DER SEQUENCE (0x30)
        Assert.DoesNotContain("PRIVATE KEY", System.Text.Encoding.Latin1.GetString(ca.EncryptedKey));
        var info = await _admin.GetFromJsonAsync<JsonElement>("/api/v1/ca");
        Assert.DoesNotContain("PRIVATE", info.GetRawText());
    }

    [Fact]
    public async Task Helpdesk_finds_users_but_cannot_revoke_or_create_the_ca()
    {
        var name = NewName();
        await IssueAsync(name);
        var helpdesk = await _app.TokenClientAsync(Roles.Helpdesk);
        Assert.Equal(HttpStatusCode.OK, (await helpdesk.GetAsync($"/api/v1/vpn-users?search={name}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await helpdesk.PostAsJsonAsync($"/api/v1/vpn-users/{name}/revoke", new { reason = "unspecified" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await helpdesk.PostAsJsonAsync("/api/v1/ca", new { name = "x" })).StatusCode);
    }

    private async Task<long> CrlNumberAsync(HttpClient anonymous)
    {
        var crlPem = _ssl.Write($"crl-{Guid.NewGuid():N}.pem", await anonymous.GetStringAsync("/pki/crl.pem"));
        var output = _ssl.Run("crl", "-in", crlPem, "-noout", "-crlnumber").Output.Trim();
        return Convert.ToInt64(output.Split('=')[1], 16);
    }
}
