using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.Security;

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
        var alice = await PortalCertificates.IssueWithKeyAsync(app, admin, "alice");
        var bob = await PortalCertificates.IssueWithKeyAsync(app, admin, "bob");
        var (serverCert, serverKey) = await PortalCertificates.ServerCertificateAsync(app);

        var anonymous = app.CreateClient();
        await using var lab = await OpenVpnLab.StartAsync(
            await anonymous.GetStringAsync("/pki/ca.pem"), serverCert, serverKey, await anonymous.GetStringAsync("/pki/crl.pem"));

        var first = await lab.ConnectAsync(alice.Cert, alice.Key);
        Assert.True(first.Connected, first.ToString());
        Assert.True((await lab.ConnectAsync(bob.Cert, bob.Key)).Connected);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/api/v1/vpn-users/bob/revoke", new { reason = "keyCompromise" })).StatusCode);
        await PublishedCrlRejectsAsync(lab, await anonymous.GetStringAsync("/pki/crl.pem"), revoked: bob, valid: alice);
    }

    /// <summary>After the published CRL replaces the server's (no restart), the revoked client is rejected and the valid one still connects.</summary>
    internal static async Task PublishedCrlRejectsAsync(OpenVpnLab lab, string crlPem, (string Cert, string Key) revoked, (string Cert, string Key) valid)
    {
        lab.ReplaceCrl(crlPem);
        var rejected = await lab.ConnectAsync(revoked.Cert, revoked.Key);
        Assert.True(rejected.Rejected, rejected.ToString());
        Assert.Equal("certificate revoked", rejected.Reason);
        var still = await lab.ConnectAsync(valid.Cert, valid.Key);
        Assert.True(still.Connected, still.ToString());
        Assert.True(lab.ServerRunning);
    }
}
