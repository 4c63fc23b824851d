using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Pki;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.Pki;

/// <summary>A root with an issuing intermediate, created in one request; chain, certificates and both CRLs checked with OpenSSL.</summary>
public sealed class IntermediateCaTests : IClassFixture<PortalApp>, IAsyncLifetime, IDisposable
{
    private readonly PortalApp _app;
    private readonly OpenSsl _ssl = new();
    private HttpClient _admin = null!;

    public IntermediateCaTests(PortalApp app) => _app = app;

    public async Task InitializeAsync()
    {
        _admin = await _app.TokenClientAsync(Roles.Admin);
        if ((await _admin.GetAsync("/api/v1/ca")).StatusCode == HttpStatusCode.NotFound)
        {
            var created = await _admin.PostAsJsonAsync("/api/v1/ca", new
            {
                name = "Two-Tier-Root", keyAlgorithm = "ecdsa-p384",
                intermediate = new { name = "Two-Tier-Issuing", keyAlgorithm = "ecdsa-p256", validDays = 1000 },
            });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;
    public void Dispose() => _ssl.Dispose();

    private static string NewName() => $"user-{Guid.NewGuid():N}"[..17];

    [Fact]
    public async Task The_ca_shows_the_root_with_its_issuing_intermediate_created_in_one_audited_event()
    {
        var ca = await _admin.GetFromJsonAsync<JsonElement>("/api/v1/ca");
        Assert.Equal("Two-Tier-Root", ca.GetProperty("name").GetString());
        Assert.Equal("ecdsa-p384", ca.GetProperty("keyAlgorithm").GetString());
        Assert.False(ca.GetProperty("issuing").GetBoolean());
        var sub = ca.GetProperty("intermediate");
        Assert.Equal("CN=Two-Tier-Issuing", sub.GetProperty("subject").GetString());
        Assert.Equal("ecdsa-p256", sub.GetProperty("keyAlgorithm").GetString());
        Assert.True(sub.GetProperty("issuing").GetBoolean());
        Assert.True(sub.GetProperty("crl").GetProperty("nextUpdate").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddDays(29));
        Assert.InRange((sub.GetProperty("notAfter").GetDateTimeOffset() - DateTimeOffset.UtcNow).TotalDays, 999, 1000);
        Assert.DoesNotContain("PRIVATE", ca.GetRawText());

        await using var db = await _app.DbAsync();
        var created = await db.AuditEvents.SingleAsync(e => e.Action == "pki.ca.created");
        Assert.Contains("Two-Tier-Issuing", created.Details);
        Assert.Equal(2, await db.CertificateAuthorities.CountAsync());
        Assert.All(await db.CertificateAuthorities.ToListAsync(), c => Assert.Equal(1, c.EncryptedKey[0]));
    }

    [Fact]
    public async Task The_intermediate_is_a_strict_pathlen_0_ca_under_the_root_and_both_crls_are_published()
    {
        var anonymous = _app.CreateClient();
        var chain = Pem.ReadAll(await anonymous.GetStringAsync("/pki/ca.pem"), "CERTIFICATE");
        Assert.Equal(2, chain.Count);
        var sub = _ssl.Write("sub.pem", Pem.Block("CERTIFICATE", chain[0]));
        var root = _ssl.Write("root.pem", Pem.Block("CERTIFICATE", chain[1]));

        var verified = _ssl.Run("verify", "-x509_strict", "-CAfile", root, sub);
        Assert.True(verified.Exit == 0, verified.Output);
        var text = _ssl.Run("x509", "-in", sub, "-noout", "-text").Output;
        Assert.Contains("Issuer: CN = Two-Tier-Root", text);
        Assert.Matches(@"X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0", text);
        Assert.Matches(@"X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign", text);
        Assert.Contains(Ski(root), Aki(text));
        Assert.NotEqual(Ski(root), Ski(sub));

        var crls = Pem.ReadAll(await anonymous.GetStringAsync("/pki/crl.pem"), "X509 CRL");
        Assert.Equal(2, crls.Count); // the issuing CA's first, then the root's
        foreach (var (der, issuer) in new[] { (crls[0], sub), (crls[1], root) })
        {
            var crl = _ssl.Write($"crl-{Guid.NewGuid():N}.pem", Pem.Block("X509 CRL", der));
            var checkedCrl = _ssl.Run("crl", "-in", crl, "-CAfile", issuer, "-noout", "-text");
            Assert.Contains("verify OK", checkedCrl.Output);
            Assert.Contains("Version 2", checkedCrl.Output);
            Assert.Contains("X509v3 CRL Number", checkedCrl.Output);
            Assert.Contains(Ski(issuer), Aki(checkedCrl.Output));
            Assert.DoesNotContain("Issuing Distribution Point", checkedCrl.Output);
        }
        Assert.Equal(crls[0], await anonymous.GetByteArrayAsync("/pki/crl.der")); // DER holds one CRL: the issuing CA's
    }

    [Fact]
    public async Task A_client_under_the_intermediate_verifies_strictly_and_its_revocation_goes_on_the_intermediates_crl()
    {
        var (alice, bob) = (NewName(), NewName());
        var alicePem = _ssl.Write("alice.pem", await IssueAsync(alice));
        var bobPem = _ssl.Write("bob.pem", await IssueAsync(bob));
        var (root, sub) = await ChainFilesAsync();
        Assert.Contains("CN = Two-Tier-Issuing", _ssl.Run("x509", "-in", alicePem, "-noout", "-issuer").Output);
        var strict = _ssl.Run("verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", root, "-untrusted", sub, alicePem);
        Assert.True(strict.Exit == 0, strict.Output);
        var before = await _admin.GetFromJsonAsync<JsonElement>("/api/v1/ca");

        Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsJsonAsync($"/api/v1/vpn-users/{bob}/revoke", new { reason = "keyCompromise" })).StatusCode);

        var after = await _admin.GetFromJsonAsync<JsonElement>("/api/v1/ca");
        Assert.True(CrlNumber(after.GetProperty("intermediate")) > CrlNumber(before.GetProperty("intermediate")));
        Assert.Equal(CrlNumber(before), CrlNumber(after)); // the root's CRL is untouched
        var crl = _ssl.Write("both-crls.pem", await _app.CreateClient().GetStringAsync("/pki/crl.pem"));
        var rejected = _ssl.Run("verify", "-crl_check_all", "-CAfile", root, "-untrusted", sub, "-CRLfile", crl, bobPem);
        Assert.NotEqual(0, rejected.Exit);
        Assert.Contains("certificate revoked", rejected.Output);
        var accepted = _ssl.Run("verify", "-x509_strict", "-crl_check_all", "-CAfile", root, "-untrusted", sub, "-CRLfile", crl, alicePem);
        Assert.True(accepted.Exit == 0, accepted.Output);
    }

    public static TheoryData<string, string> BadIntermediates => new()
    {
        { """{"name":"Other-Root","intermediate":{"name":"bad\u0007name"}}""", "intermediate.name" },
        { """{"name":"Other-Root","intermediate":{}}""", "intermediate.name" },
        { """{"name":"Other-Root","intermediate":{"name":"Other-Root"}}""", "intermediate.name" },
        { """{"name":"Other-Root","intermediate":{"name":"Other-Sub","keyAlgorithm":"dsa-1024"}}""", "intermediate.keyAlgorithm" },
        { """{"name":"Other-Root","intermediate":{"name":"Other-Sub","validDays":0}}""", "intermediate.validDays" },
    };

    [Theory]
    [MemberData(nameof(BadIntermediates))]
    public async Task Bad_intermediate_input_is_a_400_naming_the_field(string body, string field)
    {
        var r = await _admin.PostAsync("/api/v1/ca", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.True(r.StatusCode == HttpStatusCode.BadRequest, $"{body}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        var problem = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_second_intermediate_is_a_conflict()
    {
        var r = await _admin.PostAsJsonAsync("/api/v1/ca/intermediate", new { name = "Another-Issuing" });
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        await using var db = await _app.DbAsync();
        Assert.Equal(2, await db.CertificateAuthorities.CountAsync());
    }

    private async Task<string> IssueAsync(string name)
    {
        var r = await _admin.PostAsJsonAsync("/api/v1/vpn-users", new { name });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("certificatePem").GetString()!;
    }

    private async Task<(string Root, string Sub)> ChainFilesAsync()
    {
        var chain = Pem.ReadAll(await _app.CreateClient().GetStringAsync("/pki/ca.pem"), "CERTIFICATE");
        return (_ssl.Write("root.pem", Pem.Block("CERTIFICATE", chain[1])), _ssl.Write("sub.pem", Pem.Block("CERTIFICATE", chain[0])));
    }

    private static long CrlNumber(JsonElement ca) => ca.GetProperty("crl").GetProperty("number").GetInt64();

    private string Ski(string certPath)
    {
        var ski = _ssl.Run("x509", "-in", certPath, "-noout", "-ext", "subjectKeyIdentifier").Output.Split('\n')[1].Trim();
        Assert.Matches("^([0-9A-F]{2}:){19}[0-9A-F]{2}$", ski);
        return ski;
    }

    /// <summary>The lines of an "Authority Key Identifier" extension as openssl prints it.</summary>
    private static string Aki(string text) =>
        string.Join('\n', text.Split('\n').SkipWhile(l => !l.Contains("Authority Key Identifier")).Skip(1).TakeWhile(l => !l.Contains("X509v3") && !l.Contains("Signature")));

}
