using System.Collections.Concurrent;
using AdminPortal.Data;
using AdminPortal.Data.Bundles;
using AdminPortal.Data.Pki;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Bundles;

/// <summary>A user's active client certificate as a bundle needs it; the key stays encrypted under the master key.</summary>
public sealed record ActiveCertificate(Guid Id, Guid CaId, string Serial, string CertificatePem, byte[]? EncryptedKey, DateTimeOffset NotAfter);

/// <summary>A profile and its decrypted control-channel key (for tls-crypt-v2 the server key: it only ever goes into a server's files or wraps a client key).</summary>
public sealed record ProfileMaterial(VpnProfile Profile, string TlsCryptKey);

/// <summary>
/// The inputs of a bundle that change slowly or never, kept in memory so that a download costs no query of
/// its own. Why each is safe: a profile is never edited or deleted once created, except that a compromised
/// server replaces its server certificate and tls-crypt key and bumps its MaterialVersion: every download's
/// audit event is written only if the profile is still at the cached version (checked in the batch's
/// transaction, on every portal instance), and a refused one is forgotten here and read again; a CA's certificate never changes, and the chain is reloaded when a
/// certificate names a CA it does not hold; a user's certificate row is only a hint: every download's audit
/// event is written by <see cref="Audit.AuditBatcher"/> only if that certificate is still active in the
/// batch's transaction, and a refused one is forgotten here and looked up again. Decrypted client keys are
/// never kept.
/// </summary>
public sealed class BundleMaterial(IDbContextFactory<PortalDbContext> dbs, VpnProfileService profiles)
{
    /// <summary>A bound on memory; past it the certificate cache simply starts over.</summary>
    public const int MaxUsers = 10_000;

    private readonly ConcurrentDictionary<string, ProfileMaterial> _profiles = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (Guid UserId, ActiveCertificate Certificate)> _certificates = new(StringComparer.Ordinal);
    private volatile CaChain? _chain;

    private sealed record CaChain(HashSet<Guid> CaIds, string Pem);

    public async Task<ProfileMaterial?> ProfileAsync(string name, CancellationToken ct)
    {
        if (_profiles.TryGetValue(name, out var cached)) return cached;
        await using var db = await dbs.CreateDbContextAsync(ct);
        var profile = await db.VpnProfiles.AsNoTracking().FirstOrDefaultAsync(p => p.Name == name, ct);
        return profile is null ? null : _profiles[name] = new ProfileMaterial(profile, profiles.TlsCryptKey(profile));
    }

    /// <summary>The user (null when unknown) and their active client certificate (null when none).</summary>
    public async Task<(Guid UserId, ActiveCertificate? Certificate)?> CertificateAsync(string userName, CancellationToken ct)
    {
        if (_certificates.TryGetValue(userName, out var cached)) return cached;
        await using var db = await dbs.CreateDbContextAsync(ct);
        var user = await db.VpnUsers.AsNoTracking().Where(u => u.Name == userName).Select(u => new { u.Id }).FirstOrDefaultAsync(ct);
        if (user is null) return null;
        var cert = await ActiveAsync(db, user.Id, ct);
        if (cert is null) return (user.Id, null);
        if (_certificates.Count >= MaxUsers) _certificates.Clear();
        return _certificates[userName] = (user.Id, cert);
    }

    /// <summary>After the batch refused the read (certificate revoked or renewed, profile material replaced): look both up again next time.</summary>
    public void Forget(string userName, string profileName)
    {
        _certificates.TryRemove(userName, out _);
        _profiles.TryRemove(profileName, out _);
    }

    public async Task<string> ChainPemAsync(Guid caId, CancellationToken ct)
    {
        if (_chain is { } chain && chain.CaIds.Contains(caId)) return chain.Pem;
        await using var db = await dbs.CreateDbContextAsync(ct);
        var ids = await db.CertificateAuthorities.AsNoTracking().Select(c => c.Id).ToListAsync(ct);
        var pem = await CaMaterial.ChainPemAsync(db, ct);
        _chain = new CaChain([.. ids], pem);
        return pem;
    }

    /// <summary>The newest active client certificate of a user (what every bundle path serves).</summary>
    public static Task<ActiveCertificate?> ActiveAsync(PortalDbContext db, Guid userId, CancellationToken ct) =>
        db.Certificates.AsNoTracking()
            .Where(c => c.VpnUserId == userId && c.Status == CertificateStatus.Active && c.Kind == "client")
            .OrderByDescending(c => c.IssuedAt)
            .Select(c => new ActiveCertificate(c.Id, c.CaId, c.Serial, c.CertificatePem, c.EncryptedKey, c.NotAfter))
            .FirstOrDefaultAsync(ct);
}
