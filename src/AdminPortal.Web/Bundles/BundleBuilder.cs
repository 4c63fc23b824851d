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

    /// <summary>Builds from the database, in the caller's transaction (the one-time links).</summary>
    public async Task<Result<BuiltBundle>> BuildAsync(PortalDbContext db, VpnUser user, VpnProfile profile, string platform, string? passphrase, CancellationToken ct)
    {
        if (Check(platform, passphrase) is { } bad) return bad;
        var cert = await BundleMaterial.ActiveAsync(db, user.Id, ct);
        if (cert is null) return NoCertificate(user.Name);
        return Build(user.Name, new ProfileMaterial(profile, profiles.TlsCryptKey(profile)), cert, await CaMaterial.ChainPemAsync(db, ct), platform, passphrase,
            await helpdesk.ResolveAsync(db, ct));
    }

    public static PortalError? Check(string platform, string? passphrase) =>
        PlatformBundles.IsPlatform(platform)
            ? CheckPassphrase(passphrase)
            : new InvalidInput("platform", $"platform must be one of {string.Join(", ", PlatformBundles.Platforms)}.");

    public static PortalError NoKey(string userName) =>
        new Conflict($"'{userName}''s certificate was issued from a CSR: the portal never had its key, so it cannot build a profile with it.");

    public static PortalError NoCertificate(string userName) => new Conflict($"'{userName}' has no active certificate: issue or renew one first.");

    /// <summary>The bundle itself; the key is decrypted only for the time it takes to write it into the profile.</summary>
    public Result<BuiltBundle> Build(string userName, ProfileMaterial material, ActiveCertificate cert, string chainPem, string platform, string? passphrase, string helpdeskContact)
    {
        if (Check(platform, passphrase) is { } bad) return bad;
        if (cert.EncryptedKey is null)
            return NoKey(userName);
        var profile = material.Profile;
        var pkcs8 = secrets.Unprotect(cert.EncryptedKey, CaKeys.CertificatePurpose(cert.Id));
        try
        {
            var keyPem = passphrase is null ? Pem.PrivateKey(pkcs8) : EncryptedPkcs8.Pem(pkcs8, passphrase);
            var credentials = new ClientCredentials(chainPem, cert.CertificatePem, keyPem);
            var ovpn = OpenVpnConfigs.ClientProfile(profile, userName, credentials, ControlChannelKey(material, cert));
            var facts = new BundleFacts(userName, profile.Name, $"{string.Join(", ", profile.RemoteHosts)} ({profile.Protocol.ToUpperInvariant()} {profile.Port})",
                cert.NotAfter, helpdeskContact, passphrase is not null);
            return new BuiltBundle(PlatformBundles.Build(platform, ovpn, facts), userName, profile.Name, platform, cert.Serial);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>
    /// The key a client profile carries: the profile's tls-crypt key, or for tls-crypt-v2 a fresh client key wrapped by the profile's
    /// server key, with the client certificate's serial as its metadata (type 0, ASCII hex: what a <c>--tls-crypt-v2-verify</c> script reads).
    /// </summary>
    public static string ControlChannelKey(ProfileMaterial material, ActiveCertificate cert) =>
        material.Profile.ControlChannel == ControlChannels.TlsCryptV2
            ? TlsCryptV2.NewClientKey(material.TlsCryptKey, TlsCryptV2.UserMetadata(cert.Serial))
            : material.TlsCryptKey;

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
