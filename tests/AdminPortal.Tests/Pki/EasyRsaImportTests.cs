using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using AdminPortal.Data.Audit;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Pki;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.Pki;

/// <summary>
/// Taking over a PKI made by the real easy-rsa (passphrase-protected CA, a server, two users, one revoked):
/// imported users keep connecting to a real OpenVPN server, the revoked one stays rejected by the portal's CRL.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class EasyRsaImportTests(PortalApp app) : IClassFixture<PortalApp>
{
    private static readonly AuditActor Actor = AuditActor.Cli("test");

    [Fact]
    public async Task An_imported_easyrsa_pki_keeps_its_users_and_revocations_against_a_real_openvpn_server()
    {
        using var easy = await EasyRsaPki.CreateAsync();
        var server = await easy.BuildServerAsync();
        var alice = await easy.BuildClientAsync("alice");
        var bob = await easy.BuildClientAsync("bob");
        await easy.RevokeAsync("bob", "keyCompromise");
        var import = app.Service<EasyRsaImport>();

        // A wrong passphrase is a clear error and stores nothing.
        var wrong = await import.ImportAsync(easy.Directory, "not the passphrase", Actor, default);
        Assert.IsType<InvalidInput>(wrong.Error);
        Assert.Contains("passphrase", wrong.Error!.Detail);
        await using (var db = await app.DbAsync()) Assert.False(await db.CertificateAuthorities.AnyAsync());

        var result = await import.ImportAsync(easy.Directory, easy.CaPassphrase, Actor, default);
        Assert.True(result.Ok, result.Error?.Detail);
        var report = result.Value!;
        Assert.Contains(report.Items, i => i.Name == "alice" && i.Imported && i.Status == "active");
        Assert.Contains(report.Items, i => i.Name == "bob" && i.Imported && i.Status == "revoked");
        Assert.Contains(report.Items, i => i.Name == server.Name && i.Imported);

        var admin = await app.TokenClientAsync(Roles.Admin);
        var aliceView = await admin.GetFromJsonAsync<JsonElement>("/api/v1/vpn-users/alice");
        Assert.Equal("active", aliceView.GetProperty("status").GetString());
        Assert.Equal(alice.SerialHex.TrimStart('0').ToLowerInvariant(), aliceView.GetProperty("certificates")[0].GetProperty("serial").GetString());

        var anonymous = app.CreateClient();
        var crl = await anonymous.GetStringAsync("/pki/crl.pem");
        using var ssl = new OpenSsl();
        var crlText = ssl.Run("crl", "-in", ssl.Write("crl.pem", crl), "-noout", "-text").Output;
        Assert.Contains(bob.SerialHex.TrimStart('0').ToUpperInvariant(), crlText.Replace(":", "").ToUpperInvariant());
        Assert.Contains("Key Compromise", crlText);

        // The portal keeps issuing from the imported CA.
        var carolResponse = await admin.PostAsJsonAsync("/api/v1/vpn-users", new { name = "carol" });
        Assert.Equal(HttpStatusCode.Created, carolResponse.StatusCode);

        await using var lab = await OpenVpnLab.StartAsync(await anonymous.GetStringAsync("/pki/ca.pem"), server.CertificatePem, server.KeyPem, crl);
        var aliceConnects = await lab.ConnectAsync(alice.CertificatePem, alice.KeyPem);
        Assert.True(aliceConnects.Connected, aliceConnects.ToString());
        var bobConnects = await lab.ConnectAsync(bob.CertificatePem, bob.KeyPem);
        Assert.True(bobConnects.Rejected, bobConnects.ToString());
        Assert.Equal("certificate revoked", bobConnects.Reason);

        // Importing again is refused: the portal now has a CA.
        var again = await import.ImportAsync(easy.Directory, easy.CaPassphrase, Actor, default);
        Assert.IsType<Conflict>(again.Error);
        await using (var db = await app.DbAsync())
            Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "pki.easyrsa.imported"));
    }
}
