using AdminPortal.Data.Pki;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Pki;

/// <summary>How the portal finds its CAs: one root, and at most one issuing intermediate under it.</summary>
public static class CaChain
{
    /// <summary>The CA that signs new certificates: the intermediate when there is one, else the root.</summary>
    public static Task<CertificateAuthority?> IssuingAsync(this IQueryable<CertificateAuthority> cas, CancellationToken ct) =>
        cas.OrderBy(c => c.ParentId == null).FirstOrDefaultAsync(ct);

    public static Task<CertificateAuthority?> RootAsync(this IQueryable<CertificateAuthority> cas, CancellationToken ct) =>
        cas.FirstOrDefaultAsync(c => c.ParentId == null, ct);

    /// <summary>Every CA, the issuing one first and the root last: the order of the published chain and CRL file.</summary>
    public static Task<List<CertificateAuthority>> IssuingFirstAsync(this IQueryable<CertificateAuthority> cas, CancellationToken ct) =>
        cas.OrderBy(c => c.ParentId == null).ToListAsync(ct);
}
