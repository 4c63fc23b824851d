using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using AdminPortal.Pki;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.Pki;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.Pki;

/// <summary>
/// The portal's CA, certificates and CRL against a real OpenVPN 2.6 server in a network namespace:
/// a portal-issued client connects, a revoked one is rejected, and the new CRL takes effect without a restart.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class OpenVpnHandshakeTests(PortalApp app) : IClassFixture<PortalApp>
{
    [Fact]
    public async Task A_real_openvpn_server_accepts_portal_clients_and_rejects_a_revoked_one_after_a_crl_replacement()
    {
        var admin = await app.TokenClientAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/ca", new { name = "Handshake-CA" })).StatusCode);
        var alice = await IssueWithKeyAsync(admin, "alice");
        var bob = await IssueWithKeyAsync(admin, "bob");
        var (serverCert, serverKey) = await ServerCertificateAsync();

        var anonymous = app.CreateClient();
        await using var lab = await OpenVpnLab.StartAsync(
            await anonymous.GetStringAsync("/pki/ca.pem"), serverCert, serverKey, await anonymous.GetStringAsync("/pki/crl.pem"));

        var first = await lab.ConnectAsync(alice.Cert, alice.Key);
        Assert.True(first.Connected, first.ToString());
        Assert.True((await lab.ConnectAsync(bob.Cert, bob.Key)).Connected);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/api/v1/vpn-users/bob/revoke", new { reason = "keyCompromise" })).StatusCode);
        lab.ReplaceCrl(await anonymous.GetStringAsync("/pki/crl.pem"));

        var revoked = await lab.ConnectAsync(bob.Cert, bob.Key);
        Assert.True(revoked.Rejected, revoked.ToString());
        Assert.Equal("certificate revoked", revoked.Reason);
        var still = await lab.ConnectAsync(alice.Cert, alice.Key);
        Assert.True(still.Connected, still.ToString());
        Assert.True(lab.ServerRunning);
    }

    private async Task<(string Cert, string Key)> IssueWithKeyAsync(HttpClient admin, string name)
    {
        var r = await admin.PostAsJsonAsync("/api/v1/vpn-users", new { name });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var cert = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("certificatePem").GetString()!;
        // Client bundles arrive with the next issue; until then the test reads the stored key the way they will.
        await using var db = await app.DbAsync();
        var row = await db.Certificates.SingleAsync(c => c.CommonName == name && c.Status == "active");
        var pkcs8 = app.Service<AdminPortal.Data.SecretProtector>().Unprotect(row.EncryptedKey!, CaKeys.CertificatePurpose(row.Id));
        return (cert, Pem.PrivateKey(pkcs8));
    }

    private async Task<(string Cert, string Key)> ServerCertificateAsync()
    {
        // Server certificates are issued with VPN profiles (next issue); here the engine signs one with the portal's CA.
        await using var db = await app.DbAsync();
        var ca = app.Service<CaKeys>().Open(await db.CertificateAuthorities.SingleAsync());
        var keys = KeyPairs.Generate(KeyAlgorithm.EcdsaP256);
        var cert = CertificateBuilder.Issue(ca, CertificateKind.Server, "vpn.example.test", keys.Public, DateTimeOffset.UtcNow, TimeSpan.FromDays(30), Serials.New());
        return (Pem.Certificate(cert), Pem.PrivateKey(KeyPairs.ExportPkcs8(keys.Private)));
    }
}
