using AdminPortal.Data.Audit;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;

namespace AdminPortal.Web.Bundles;

/// <summary>An operator's download of a user's bundle; audited with the certificate's serial.</summary>
public sealed class BundleDownloads(AuditedWork work, BundleBuilder builder)
{
    public async Task<Result<BundleFile>> DownloadAsync(string userName, string? profileName, string? platform, string? passphrase, AuditActor actor, CancellationToken ct) =>
        await work.RunAsync<Result<BundleFile>>(async (_, db, c) =>
        {
            var found = await BundleBuilder.FindAsync(db, userName, profileName, c);
            if (!found.Ok) return (found.Error!, null);
            var built = await builder.BuildAsync(db, found.Value.User, found.Value.Profile, platform ?? "", passphrase, c);
            if (!built.Ok) return (built.Error!, null);
            var b = built.Value!;
            return (b.File, new AuditEntry(actor, "bundle.downloaded", $"vpn-user:{b.UserName}",
                new { serial = b.Serial, profile = b.ProfileName, platform = b.Platform, keyEncrypted = passphrase is not null }));
        }, ct);
}
