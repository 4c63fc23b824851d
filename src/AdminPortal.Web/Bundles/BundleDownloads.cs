using AdminPortal.Data.Audit;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;

namespace AdminPortal.Web.Bundles;

/// <summary>
/// An operator's download of a user's bundle. A download changes nothing, so its audit event (with the
/// certificate's serial) goes through the group commit: the file is returned only once the event is durable,
/// and only if the certificate was still active in that transaction.
/// </summary>
public sealed class BundleDownloads(BundleMaterial material, BundleBuilder builder, BuiltBundleCache built, AuditBatcher audit, HelpdeskContact helpdesk)
{
    public async Task<Result<BundleFile>> DownloadAsync(string userName, string? profileName, string? platform, string? passphrase, AuditActor actor, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(profileName)) return new InvalidInput("profile", "Name the VPN profile (profile=...).");
        // Twice at most: a certificate revoked or renewed, or profile material replaced, since it was cached is refused by the batch once.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (await material.CertificateAsync(userName, ct) is not { } user) return new NotFound("VPN user", userName);
            if (await material.ProfileAsync(profileName, ct) is not { } profile) return new NotFound("VPN profile", profileName);
            if (BundleBuilder.Check(platform ?? "", passphrase) is { } bad) return bad;
            if (user.Certificate is not { } cert) return BundleBuilder.NoCertificate(userName);
            var chain = await material.ChainPemAsync(cert.CaId, ct);
            var contact = await helpdesk.CachedAsync(ct);
            var b = passphrase is null ? built.Find(userName, cert, profile, platform!, chain, contact) : null;
            if (b is null)
            {
                var made = builder.Build(userName, profile, cert, chain, platform!, passphrase, contact);
                if (!made.Ok) return made.Error!;
                b = made.Value!;
                if (passphrase is null) built.Keep(b, cert, profile, chain, contact);
            }
            var entry = new AuditEntry(actor, "bundle.downloaded", $"vpn-user:{b.UserName}",
                new { serial = b.Serial, profile = b.ProfileName, platform = b.Platform, keyEncrypted = passphrase is not null });
            if (await audit.AppendAsync(entry, cert.Id, ct, new ProfileStamp(profile.Profile.Id, profile.Profile.MaterialVersion))) return b.File;
            material.Forget(userName, profileName);
        }
        return BundleBuilder.NoCertificate(userName);
    }
}
