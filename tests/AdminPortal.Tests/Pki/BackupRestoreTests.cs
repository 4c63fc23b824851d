using System.Net;
using System.Net.Http.Json;
using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Pki;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.Pki;

/// <summary>A new portal takes over from a dead one with the passphrase-encrypted backup.</summary>
public sealed class BackupRestoreTests : IDisposable
{
    private readonly PortalApp _old = new();
    private readonly PortalApp _new = new();
    private static readonly AuditActor Actor = AuditActor.Cli("test");
    private const string Passphrase = "correct horse battery staple";

    public void Dispose()
    {
        _new.Dispose();
        _old.Dispose();
    }

    [Fact]
    public async Task A_restored_portal_has_the_same_ca_users_keys_and_revocations_and_continues_the_crl_numbers()
    {
        var admin = await _old.TokenClientAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/ca", new { name = "Backup-CA" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/vpn-users", new { name = "alice" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/vpn-users", new { name = "bob" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/api/v1/vpn-users/bob/revoke", new { reason = "affiliationChanged" })).StatusCode);
        var oldCa = await _old.CreateClient().GetStringAsync("/pki/ca.pem");
        await using var oldDb = await _old.DbAsync();
        var oldCrlNumber = (await oldDb.CertificateAuthorities.SingleAsync()).CrlNumber;

        Assert.IsType<InvalidInput>((await _old.Service<PkiBackup>().CreateAsync("short", Actor, default)).Error);
        var backup = await _old.Service<PkiBackup>().CreateAsync(Passphrase, Actor, default);
        Assert.True(backup.Ok, backup.Error?.Detail);
        var file = backup.Value.File;
        Assert.DoesNotContain("PRIVATE", System.Text.Encoding.Latin1.GetString(file));

        // A wrong passphrase restores nothing.
        var refused = await _new.Service<PkiBackup>().RestoreAsync(file, "wrong passphrase!!", Actor, default);
        Assert.IsType<InvalidInput>(refused.Error);
        await using (var db = await _new.DbAsync()) Assert.False(await db.CertificateAuthorities.AnyAsync());

        var restored = await _new.Service<PkiBackup>().RestoreAsync(file, Passphrase, Actor, default);
        Assert.True(restored.Ok, restored.Error?.Detail);
        Assert.True(restored.Value!.CrlNumber > oldCrlNumber);

        var anonymous = _new.CreateClient();
        Assert.Equal(oldCa, await anonymous.GetStringAsync("/pki/ca.pem"));
        using var ssl = new OpenSsl();
        var crlText = ssl.Run("crl", "-in", ssl.Write("crl.pem", await anonymous.GetStringAsync("/pki/crl.pem")), "-noout", "-text").Output;
        Assert.Contains("Affiliation Changed", crlText);

        // The user's key was re-encrypted under the new portal's master key: bundles can be produced again.
        await using var newDb = await _new.DbAsync();
        var alice = await newDb.Certificates.SingleAsync(c => c.CommonName == "alice");
        Assert.NotEmpty(_new.Service<SecretProtector>().Unprotect(alice.EncryptedKey!, CaKeys.CertificatePurpose(alice.Id)));

        // The new portal revokes and issues from the restored CA.
        var newAdmin = await _new.TokenClientAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.OK, (await newAdmin.PostAsJsonAsync("/api/v1/vpn-users/alice/revoke", new { reason = "keyCompromise" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await newAdmin.PostAsJsonAsync("/api/v1/vpn-users", new { name = "carol" })).StatusCode);
        Assert.True(await newDb.AuditEvents.AnyAsync(e => e.Action == "pki.backup.restored"));
        Assert.True(await oldDb.AuditEvents.AnyAsync(e => e.Action == "pki.backup.created"));
    }

    [Fact]
    public async Task A_restored_two_tier_ca_keeps_its_intermediate_which_goes_on_signing()
    {
        var admin = await _old.TokenClientAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/ca", new { name = "Backup-Root", intermediate = new { name = "Backup-Issuing" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/vpn-users", new { name = "alice" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/api/v1/vpn-users/alice/revoke", new { reason = "keyCompromise" })).StatusCode);
        var oldChain = await _old.CreateClient().GetStringAsync("/pki/ca.pem");

        var backup = await _old.Service<PkiBackup>().CreateAsync(Passphrase, Actor, default);
        Assert.True(backup.Ok, backup.Error?.Detail);
        Assert.DoesNotContain("PRIVATE", System.Text.Encoding.Latin1.GetString(backup.Value.File));
        var restored = await _new.Service<PkiBackup>().RestoreAsync(backup.Value.File, Passphrase, Actor, default);
        Assert.True(restored.Ok, restored.Error?.Detail);

        var anonymous = _new.CreateClient();
        Assert.Equal(oldChain, await anonymous.GetStringAsync("/pki/ca.pem"));
        var crls = AdminPortal.Pki.Pem.ReadAll(await anonymous.GetStringAsync("/pki/crl.pem"), "X509 CRL");
        Assert.Equal(2, crls.Count);
        using var ssl = new OpenSsl();
        var subCrl = ssl.Run("crl", "-in", ssl.Write("sub-crl.pem", AdminPortal.Pki.Pem.Block("X509 CRL", crls[0])), "-noout", "-text").Output;
        Assert.Contains("Key Compromise", subCrl);
        Assert.Contains("Issuer: CN = Backup-Issuing", subCrl);

        var newAdmin = await _new.TokenClientAsync(Roles.Admin);
        var carol = await newAdmin.PostAsJsonAsync("/api/v1/vpn-users", new { name = "carol" });
        Assert.Equal(HttpStatusCode.Created, carol.StatusCode);
        var carolPem = ssl.Write("carol.pem", (await carol.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("certificatePem").GetString()!);
        Assert.Contains("CN = Backup-Issuing", ssl.Run("x509", "-in", carolPem, "-noout", "-issuer").Output);
    }
}
