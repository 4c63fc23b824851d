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

    /// <summary>The chain as one PEM text, in the given (issuing-first) order: what /pki/ca.pem serves and profiles inline.</summary>
    public static string ChainPem(this IEnumerable<CertificateAuthority> chain) =>
        string.Concat(chain.Select(c => c.CertificatePem.TrimEnd() + "\n"));

    /// <summary>Every CA's CRL as PEM, concatenated in chain order (crl-verify needs all of them); null while one is missing.</summary>
    public static string? CrlPem(this IReadOnlyCollection<CertificateAuthority> chain) =>
        chain.Count > 0 && chain.All(c => c.CrlDer is not null) ? string.Concat(chain.Select(c => AdminPortal.Pki.Pem.Block("X509 CRL", c.CrlDer!))) : null;
}
