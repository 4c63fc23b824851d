using AdminPortal.Data;
using AdminPortal.Data.Pki;
using AdminPortal.Web.Pki;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Bundles;

/// <summary>What profiles and bundles need from the CA: the issuing CA, the chain clients trust, and the CRL file servers check.</summary>
public static class CaMaterial
{
    public static Task<CertificateAuthority?> IssuingAsync(PortalDbContext db, CancellationToken ct) => db.CertificateAuthorities.IssuingAsync(ct);

    /// <summary>The issuing CA first, then the root (what /pki/ca.pem serves).</summary>
    public static async Task<string> ChainPemAsync(PortalDbContext db, CancellationToken ct) =>
        (await db.CertificateAuthorities.AsNoTracking().IssuingFirstAsync(ct)).ChainPem();

    /// <summary>Every CA's CRL in chain order (what /pki/crl.pem serves).</summary>
    public static async Task<string> CrlPemAsync(PortalDbContext db, CancellationToken ct) =>
        (await db.CertificateAuthorities.AsNoTracking().IssuingFirstAsync(ct)).CrlPem() ?? "";
}
