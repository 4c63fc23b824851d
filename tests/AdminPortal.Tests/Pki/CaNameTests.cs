using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using AdminPortal.Data.Audit;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Pki;
using AdminPortal.Web.Security;

namespace AdminPortal.Tests.Pki;

/// <summary>
/// A CA is named the way CAs are named: its name is its subject's common name (printable, no control characters, at
/// most 64), kept exactly through creation, the listing, the certificate and CRL, the audit trail and a backup.
/// </summary>
public sealed class CaNameTests : IDisposable
{
    private readonly PortalApp _app = new();

    public void Dispose() => _app.Dispose();

    public static TheoryData<string> Names => new()
    {
        "Acme Root CA",
        "Acme \"Root\" CA / Ops \\ 1, O'Brien & Co = <CA>;",
        "Ünïcødé – 証明書 Root 🔐",
        "#4142 looks like hex",
        "\\leading backslash",
        "x",
        new string('M', 64),
    };

    [Theory, MemberData(nameof(Names))]
    public async Task A_ca_keeps_its_name_through_creation_listing_certificate_crl_audit_and_backup(string name)
    {
        var admin = await _app.TokenClientAsync(Roles.Admin);
        var intermediateName = name.Length > 50 ? name[..50] + " Issuing" : name + " Issuing";
        var r = await admin.PostAsJsonAsync("/api/v1/ca", new { name, intermediate = new { name = intermediateName } });
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Created, $"{(int)r.StatusCode} {text}");
        Assert.Equal("/api/v1/ca", r.Headers.Location?.OriginalString);

        var listed = await admin.GetFromJsonAsync<JsonElement>("/api/v1/ca");
        Assert.Equal(name, listed.GetProperty("name").GetString());
        Assert.Equal(intermediateName, listed.GetProperty("intermediate").GetProperty("name").GetString());
        // The subject's CN is the name, exactly (read by .NET's own X.509 code, not the portal's).
        Assert.Equal(name, CommonName(listed.GetProperty("certificatePem").GetString()!));
        Assert.Equal(intermediateName, CommonName(listed.GetProperty("intermediate").GetProperty("certificatePem").GetString()!));

        // It signs: a user's certificate, and CRLs that openssl reads and verifies against the chain.
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/vpn-users", new { name = "alice" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/api/v1/vpn-users/alice/revoke", new { reason = "keyCompromise" })).StatusCode);
        var anonymous = _app.CreateClient();
        using var ssl = new OpenSsl();
        var chain = ssl.Write("ca.pem", await anonymous.GetStringAsync("/pki/ca.pem"));
        var crls = ssl.Write("crl.pem", await anonymous.GetStringAsync("/pki/crl.pem"));
        var verified = ssl.Run("crl", "-in", crls, "-CAfile", chain, "-noout");
        Assert.True(verified.Exit == 0 && verified.Output.Contains("verify OK"), verified.Output);
        var der = await anonymous.GetAsync("/pki/crl.der");
        Assert.Equal(HttpStatusCode.OK, der.StatusCode);

        // The audit trail names it, and can be searched by it.
        var audit = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/audit?target={Uri.EscapeDataString("ca:" + name)}&limit=10");
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "pki.ca.created");

        // A backup carries it, and a new portal restored from it has the same CA.
        var backup = await _app.Service<PkiBackup>().CreateAsync("correct horse battery staple", AuditActor.Cli("test"), default);
        Assert.True(backup.Ok, backup.Error?.Detail);
        Assert.Equal(name, backup.Value.Summary.Ca);
        using var successor = new PortalApp();
        var restored = await successor.Service<PkiBackup>().RestoreAsync(backup.Value.File, "correct horse battery staple", AuditActor.Cli("test"), default);
        Assert.True(restored.Ok, restored.Error?.Detail);
        Assert.Equal(name, restored.Value!.Ca);
        var successorAdmin = await successor.TokenClientAsync(Roles.Admin);
        Assert.Equal(name, (await successorAdmin.GetFromJsonAsync<JsonElement>("/api/v1/ca")).GetProperty("name").GetString());
    }

    public static TheoryData<string, string> Refused => new()
    {
        { "empty", "" },
        { "65 characters", new string('M', 65) },
        { "a trailing newline", "Acme Root CA\n" },
        { "a trailing CR", "Acme Root CA\r" },
        { "a newline inside", "Acme\nRoot" },
        { "a NUL", "Acme\0Root" },
        { "an escape sequence", "Acme \u001b[31mRoot" },
        { "a line separator", "Acme\u2028Root" },
        { "a right-to-left override", "\u202eAC tooR" },
        { "a zero-width space", "Acme\u200bRoot" },
        { "a leading space", " Acme" },
        { "a trailing space", "Acme " },
        { "a tab", "Acme\tRoot" },
    };

    [Theory, MemberData(nameof(Refused))]
    public async Task A_ca_name_that_is_no_common_name_is_refused_naming_the_field(string why, string name)
    {
        var admin = await _app.TokenClientAsync(Roles.Admin);
        var r = await admin.PostAsJsonAsync("/api/v1/ca", new { name });
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.BadRequest, $"{why}: {(int)r.StatusCode} {text}");
        Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty("name", out _), $"{why}: {text}");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/ca")).StatusCode);
    }

    private static string CommonName(string pem)
    {
        using var cert = X509Certificate2.CreateFromPem(pem);
        return cert.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
    }
}
