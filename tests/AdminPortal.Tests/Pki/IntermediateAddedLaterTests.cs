using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Pki;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.Pki;

/// <summary>
/// A root that has already issued gets an intermediate later: new certificates come from the intermediate,
/// while revocations of the root's certificates still go on the root's CRL (the CA that issued them).
/// </summary>
public sealed class IntermediateAddedLaterTests(PortalApp app) : IClassFixture<PortalApp>, IDisposable
{
    private readonly OpenSsl _ssl = new();

    public void Dispose() => _ssl.Dispose();

    [Fact]
    public async Task After_adding_an_intermediate_new_certificates_come_from_it_and_root_issued_ones_are_revoked_on_the_roots_crl()
    {
        var admin = await app.TokenClientAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync("/api/v1/ca/intermediate", new { name = "Early-Issuing" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/ca", new { name = "Later-Root" })).StatusCode);
        var alice = await IssueAsync(admin, "alice");
        await IssueAsync(admin, "carol");

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/api/v1/ca/intermediate", new { name = "Later-Root" })).StatusCode);
        var added = await admin.PostAsJsonAsync("/api/v1/ca/intermediate", new { name = "Later-Issuing", keyAlgorithm = "rsa-2048" });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var ca = await added.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("rsa-2048", ca.GetProperty("intermediate").GetProperty("keyAlgorithm").GetString());
        var rootCrl = CrlNumber(ca);

        var bob = await IssueAsync(admin, "bob");
        var renewed = await (await admin.PostAsync("/api/v1/vpn-users/carol/renew", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/api/v1/vpn-users/alice/revoke", new { reason = "cessationOfOperation" })).StatusCode);

        var now = await admin.GetFromJsonAsync<JsonElement>("/api/v1/ca");
        Assert.Equal(rootCrl + 2, CrlNumber(now)); // carol's superseded certificate, then alice's
        Assert.Equal(2, now.GetProperty("crl").GetProperty("entries").GetInt32());
        Assert.Equal(0, now.GetProperty("intermediate").GetProperty("crl").GetProperty("entries").GetInt32());

        var anonymous = app.CreateClient();
        var chain = Pem.ReadAll(await anonymous.GetStringAsync("/pki/ca.pem"), "CERTIFICATE");
        var root = _ssl.Write("root.pem", Pem.Block("CERTIFICATE", chain[1]));
        var sub = _ssl.Write("sub.pem", Pem.Block("CERTIFICATE", chain[0]));
        var crl = _ssl.Write("crl.pem", await anonymous.GetStringAsync("/pki/crl.pem"));
        string Verify(string name, string pem) =>
            _ssl.Run("verify", "-x509_strict", "-crl_check_all", "-CAfile", root, "-untrusted", sub, "-CRLfile", crl, _ssl.Write(name, pem)).Output;
        Assert.Contains("certificate revoked", Verify("alice.pem", alice));
        Assert.EndsWith(": OK", Verify("bob.pem", bob).Trim());
        Assert.EndsWith(": OK", Verify("carol.pem", renewed.GetProperty("certificatePem").GetString()!).Trim());
        Assert.Contains("CN = Later-Issuing", _ssl.Run("x509", "-in", Path.Combine(_ssl.Dir, "carol.pem"), "-noout", "-issuer").Output);

        await using var db = await app.DbAsync();
        var audit = await db.AuditEvents.SingleAsync(e => e.Action == "pki.ca.intermediate.created");
        Assert.Equal("ca:Later-Issuing", audit.Target);
        Assert.DoesNotContain("PRIVATE", audit.Details);
    }

    private static async Task<string> IssueAsync(HttpClient admin, string name)
    {
        var r = await admin.PostAsJsonAsync("/api/v1/vpn-users", new { name });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("certificatePem").GetString()!;
    }

    private static long CrlNumber(JsonElement ca) => ca.GetProperty("crl").GetProperty("number").GetInt64();
}
