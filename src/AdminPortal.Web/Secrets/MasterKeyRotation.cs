using System.Xml.Linq;
using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Email;
using AdminPortal.Web.Audit;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Secrets;

public sealed record RotationResult(string OldKeyId, string NewKeyId, int TotpSecrets, int DataProtectionKeys, int SshCredentials = 0);

/// <summary>
/// Re-encrypts every secret stored in the database under a new master key, in one audited transaction:
/// operators' TOTP secrets and the Data Protection key ring. Run with the portal stopped, then point
/// <c>Portal:MasterKeyFile</c> at the new key (keeping the old one as a previous key until verified).
/// </summary>
public sealed class MasterKeyRotation(AuditedWork work, SecretProtector current)
{
    public const string TotpProvider = "[AspNetUserStore]";
    public const string TotpName = "AuthenticatorKey";

    public Task<RotationResult> RotateAsync(byte[] newKey, AuditActor actor, CancellationToken ct)
    {
        var next = new SecretProtector(newKey);
        return work.RunAsync<RotationResult>(async (_, db, c) =>
        {
            var totp = await db.UserTokens.Where(t => t.LoginProvider == TotpProvider && t.Name == TotpName).ToListAsync(c);
            foreach (var t in totp.Where(t => t.Value is not null))
            {
                var purpose = $"totp:{t.UserId}";
                t.Value = next.ProtectString(current.UnprotectString(t.Value!, purpose), purpose);
            }
            var keys = await db.DataProtectionKeys.ToListAsync(c);
            foreach (var k in keys.Where(k => k.Xml is not null))
            {
                var xml = XElement.Parse(k.Xml!);
                foreach (var sealedSecret in xml.Descendants("masterKeyEncrypted"))
                    sealedSecret.Value = next.ProtectString(current.UnprotectString(sealedSecret.Value, "dataprotection"), "dataprotection");
                k.Xml = xml.ToString(SaveOptions.DisableFormatting);
            }
            var smtp = await db.SmtpSettings.Where(x => x.EncryptedPassword != null).ToListAsync(c);
            foreach (var x in smtp)
                x.EncryptedPassword = next.Protect(current.Unprotect(x.EncryptedPassword!, SmtpSettingsRow.PasswordPurpose), SmtpSettingsRow.PasswordPurpose);
            var credentials = await db.SshCredentials.ToListAsync(c);
            foreach (var k in credentials)
            {
                var purpose = AdminPortal.Data.Hosts.SshCredential.Purpose(k.Id);
                k.EncryptedPrivateKey = next.Protect(current.Unprotect(k.EncryptedPrivateKey, purpose), purpose);
            }
            var result = new RotationResult(current.KeyId, next.KeyId, totp.Count, keys.Count, credentials.Count);
            return (result, new AuditEntry(actor, "secrets.master_key.rotated", "master-key",
                new
                {
                    from = result.OldKeyId, to = result.NewKeyId, reencryptedTotp = result.TotpSecrets, reencryptedDataProtection = result.DataProtectionKeys,
                    reencryptedSmtp = smtp.Count, reencryptedSshCredentials = result.SshCredentials,
                }));
        }, ct);
    }
}
