using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Pki;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Pki;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.Pki;

/// <summary>Client and server certificates with their keys, as the OpenVPN tests hand them to real peers.</summary>
public static class PortalCertificates
{
    /// <summary>Issues a user through the API and reads back the stored key the way client bundles will.</summary>
    public static async Task<(string Cert, string Key)> IssueWithKeyAsync(PortalApp app, HttpClient admin, string name)
    {
        var r = await admin.PostAsJsonAsync("/api/v1/vpn-users", new { name });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var cert = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("certificatePem").GetString()!;
        await using var db = await app.DbAsync();
        var row = await db.Certificates.SingleAsync(c => c.CommonName == name && c.Status == "active");
        var pkcs8 = app.Service<AdminPortal.Data.SecretProtector>().Unprotect(row.EncryptedKey!, CaKeys.CertificatePurpose(row.Id));
        return (cert, Pem.PrivateKey(pkcs8));
    }

    /// <summary>A server certificate signed by the portal's issuing CA (server certificates come with VPN profiles, a later issue).</summary>
    public static async Task<(string Cert, string Key)> ServerCertificateAsync(PortalApp app)
    {
        await using var db = await app.DbAsync();
        var ca = app.Service<CaKeys>().Open((await db.CertificateAuthorities.IssuingAsync(default))!);
        var keys = KeyPairs.Generate(KeyAlgorithm.EcdsaP256);
        var cert = CertificateBuilder.Issue(ca, CertificateKind.Server, "vpn.example.test", keys.Public, DateTimeOffset.UtcNow, TimeSpan.FromDays(30), Serials.New());
        return (Pem.Certificate(cert), Pem.PrivateKey(KeyPairs.ExportPkcs8(keys.Private)));
    }
}
