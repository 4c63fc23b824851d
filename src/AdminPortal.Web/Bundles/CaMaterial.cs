using AdminPortal.Data;
using AdminPortal.Data.Pki;
using AdminPortal.Pki;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Bundles;

/// <summary>What profiles and bundles need from the CA: the issuing CA, the chain clients trust, and the CRL file servers check.</summary>
public static class CaMaterial
{
    public static Task<CertificateAuthority?> IssuingAsync(PortalDbContext db, CancellationToken ct) =>
        db.CertificateAuthorities.FirstOrDefaultAsync(ct);

    public static async Task<string> ChainPemAsync(PortalDbContext db, CancellationToken ct) =>
        string.Concat(await db.CertificateAuthorities.AsNoTracking().Select(c => c.CertificatePem).ToListAsync(ct));

    public static async Task<string> CrlPemAsync(PortalDbContext db, CancellationToken ct) =>
        string.Concat((await db.CertificateAuthorities.AsNoTracking().Where(c => c.CrlDer != null).Select(c => c.CrlDer!).ToListAsync(ct))
            .Select(der => Pem.Block("X509 CRL", der)));
}
