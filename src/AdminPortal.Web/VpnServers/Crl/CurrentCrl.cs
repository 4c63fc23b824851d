using AdminPortal.Data;
using AdminPortal.Pki;
using AdminPortal.Web.Pki;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.VpnServers.Crl;

/// <summary>The CAs' current CRLs as the servers' crl-verify file (issuing CA first), their facts, and whether the CA is two-tier.</summary>
public sealed record CurrentCrl(string Pem, IReadOnlyList<CrlFacts> Facts, bool TwoTier)
{
    /// <summary>Null while there is no CA (or a CA without its first CRL): there is nothing to distribute.</summary>
    public static async Task<CurrentCrl?> LoadAsync(IDbContextFactory<PortalDbContext> dbs, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var chain = await db.CertificateAuthorities.AsNoTracking().IssuingFirstAsync(ct);
        if (chain.CrlPem() is not { } pem) return null;
        return new CurrentCrl(pem, [.. chain.Select(c => CrlFacts.Read(c.CrlDer!))], chain.Count > 1);
    }
}
