using AdminPortal.Data;
using AdminPortal.Data.Bundles;
using AdminPortal.Data.Pki;
using AdminPortal.Pki;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Pki;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Bundles;

public sealed record BuiltBundle(BundleFile File, string UserName, string ProfileName, string Platform, string Serial);

/// <summary>Builds a user's bundle for a profile and platform from the user's active certificate and its stored key.</summary>
public sealed class BundleBuilder(VpnProfileService profiles, SecretProtector secrets, HelpdeskContact helpdesk)
{
    public const int MinPassphrase = 8;
    public const int MaxPassphrase = 256;

    public static PortalError? CheckPassphrase(string? passphrase) =>
        passphrase is null || passphrase.Length is >= MinPassphrase and <= MaxPassphrase
            ? null
            : new InvalidInput("passphrase", $"A key passphrase is {MinPassphrase} to {MaxPassphrase} characters.");

    public async Task<Result<BuiltBundle>> BuildAsync(PortalDbContext db, VpnUser user, VpnProfile profile, string platform, string? passphrase, CancellationToken ct)
    {
        if (!PlatformBundles.IsPlatform(platform))
            return new InvalidInput("platform", $"platform must be one of {string.Join(", ", PlatformBundles.Platforms)}.");
        if (CheckPassphrase(passphrase) is { } badPassphrase) return badPassphrase;
        var cert = await db.Certificates.AsNoTracking()
            .Where(c => c.VpnUserId == user.Id && c.Status == CertificateStatus.Active && c.Kind == "client")
            .OrderByDescending(c => c.IssuedAt).FirstOrDefaultAsync(ct);
        if (cert is null) return new Conflict($"'{user.Name}' has no active certificate: issue or renew one first.");
        if (cert.EncryptedKey is null)
            return new Conflict($"'{user.Name}''s certificate was issued from a CSR: the portal never had its key, so it cannot build a profile with it.");
        var pkcs8 = secrets.Unprotect(cert.EncryptedKey, CaKeys.CertificatePurpose(cert.Id));
        try
        {
            var keyPem = passphrase is null ? Pem.PrivateKey(pkcs8) : EncryptedPkcs8.Pem(pkcs8, passphrase);
            var credentials = new ClientCredentials(await CaMaterial.ChainPemAsync(db, ct), cert.CertificatePem, keyPem);
            var ovpn = OpenVpnConfigs.ClientProfile(profile, user.Name, credentials, profiles.TlsCryptKey(profile));
            var facts = new BundleFacts(user.Name, profile.Name, $"{string.Join(", ", profile.RemoteHosts)} ({profile.Protocol.ToUpperInvariant()} {profile.Port})",
                cert.NotAfter, await helpdesk.ResolveAsync(db, ct), passphrase is not null);
            return new BuiltBundle(PlatformBundles.Build(platform, ovpn, facts), user.Name, profile.Name, platform, cert.Serial);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>Finds the user and profile a request names; a clear error for either missing.</summary>
    public static async Task<Result<(VpnUser User, VpnProfile Profile)>> FindAsync(PortalDbContext db, string userName, string? profileName, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(profileName)) return new InvalidInput("profile", "Name the VPN profile (profile=...).");
        var user = await db.VpnUsers.AsNoTracking().FirstOrDefaultAsync(u => u.Name == userName, ct);
        if (user is null) return new NotFound("VPN user", userName);
        var profile = await db.VpnProfiles.AsNoTracking().FirstOrDefaultAsync(p => p.Name == profileName, ct);
        if (profile is null) return new NotFound("VPN profile", profileName);
        return (user, profile);
    }
}
