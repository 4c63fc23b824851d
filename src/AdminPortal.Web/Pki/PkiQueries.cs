using AdminPortal.Data;
using AdminPortal.Data.Pki;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Pki;

public sealed record CertificateView(
    string Serial, string Kind, string CommonName, string? VpnUser, string Status, string KeyAlgorithm,
    DateTimeOffset NotBefore, DateTimeOffset NotAfter, DateTimeOffset IssuedAt, string IssuedBy,
    DateTimeOffset? RevokedAt, string? RevocationReason, string? RevokedBy, bool Expired);

public sealed record VpnUserSummary(string Name, string? Email, string Status, string? Serial, DateTimeOffset? NotAfter);

public sealed record VpnUserDetail(string Name, string? Email, DateTimeOffset CreatedAt, string Status, IReadOnlyList<CertificateView> Certificates);

public sealed record VpnUserPage(IReadOnlyList<VpnUserSummary> Items, int Total, int Page, int PageSize);

/// <summary>Read-only views of VPN users and certificates (no key material, ever).</summary>
public sealed class PkiQueries(IDbContextFactory<PortalDbContext> dbs, TimeProvider time)
{
    public const int MaxPageSize = 200;

    public async Task<VpnUserPage> UsersAsync(string? search, int page, int pageSize, CancellationToken ct)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbs.CreateDbContextAsync(ct);
        var q = db.VpnUsers.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var s = search.Trim();
            q = q.Where(u => EF.Functions.ILike(u.Name, "%" + Escape(s) + "%", "\\") || (u.Email != null && EF.Functions.ILike(u.Email, "%" + Escape(s) + "%", "\\")));
        }
        var total = await q.CountAsync(ct);
        var rows = await q.OrderBy(u => u.Name).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(u => new
            {
                u.Name, u.Email,
                Active = u.Certificates.Where(c => c.Status == CertificateStatus.Active).OrderByDescending(c => c.IssuedAt)
                    .Select(c => new { c.Serial, c.NotAfter }).FirstOrDefault(),
            }).ToListAsync(ct);
        var now = time.GetUtcNow();
        return new VpnUserPage(rows.Select(r => new VpnUserSummary(r.Name, r.Email,
            r.Active is null ? "revoked" : r.Active.NotAfter <= now ? "expired" : "active", r.Active?.Serial, r.Active?.NotAfter)).ToList(), total, page, pageSize);
    }

    public async Task<VpnUserDetail?> UserAsync(string name, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var user = await db.VpnUsers.AsNoTracking().Include(u => u.Certificates).FirstOrDefaultAsync(u => u.Name == name, ct);
        if (user is null) return null;
        var certs = user.Certificates.OrderByDescending(c => c.IssuedAt).Select(c => View(c, user.Name)).ToList();
        var status = certs.FirstOrDefault(c => c.Status == CertificateStatus.Active) is { } a ? (a.Expired ? "expired" : "active") : "revoked";
        return new VpnUserDetail(user.Name, user.Email, user.CreatedAt, status, certs);
    }

    public async Task<IReadOnlyList<CertificateView>> CertificatesAsync(string? status, int? expiringWithinDays, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = time.GetUtcNow();
        var q = db.Certificates.AsNoTracking().Include(c => c.VpnUser).AsQueryable();
        q = status switch
        {
            "active" => q.Where(c => c.Status == CertificateStatus.Active && c.NotAfter > now),
            "revoked" => q.Where(c => c.Status == CertificateStatus.Revoked),
            "expired" => q.Where(c => c.Status == CertificateStatus.Active && c.NotAfter <= now),
            _ => q,
        };
        if (expiringWithinDays is { } days) q = q.Where(c => c.Status == CertificateStatus.Active && c.NotAfter > now && c.NotAfter <= now.AddDays(days));
        var rows = await q.OrderBy(c => c.NotAfter).Take(1000).ToListAsync(ct);
        return rows.Select(c => View(c, c.VpnUser?.Name)).ToList();
    }

    private CertificateView View(IssuedCertificate c, string? user) => new(
        c.Serial, c.Kind, c.CommonName, user, c.Status, c.KeyAlgorithm, c.NotBefore, c.NotAfter, c.IssuedAt, c.IssuedBy,
        c.RevokedAt, c.RevocationReason, c.RevokedBy, c.NotAfter <= time.GetUtcNow());

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}
