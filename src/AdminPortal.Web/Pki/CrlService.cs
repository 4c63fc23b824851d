using AdminPortal.Data;
using AdminPortal.Data.Pki;
using AdminPortal.Pki;
using Microsoft.EntityFrameworkCore;
using Org.BouncyCastle.Math;

namespace AdminPortal.Web.Pki;

public sealed record CrlInfo(long Number, DateTimeOffset? ThisUpdate, DateTimeOffset? NextUpdate, int Entries, string? LastError);

/// <summary>
/// Regenerates a CA's CRL inside the caller's transaction: the CA row is locked while its cRLNumber is
/// incremented (so numbers never repeat, across instances too) and the revoked list is read after the lock,
/// so the newest CRL always holds every committed revocation.
/// </summary>
public sealed class CrlService(CaKeys keys, TimeProvider time)
{
    public async Task<CrlInfo> RegenerateAsync(PortalDbContext db, CertificateAuthority ca, CancellationToken ct)
    {
        if (db.Entry(ca).State != EntityState.Added)
        {
            var numbers = await db.Database.SqlQuery<long>(
                $"""UPDATE certificate_authorities SET "CrlNumber" = "CrlNumber" + 1 WHERE "Id" = {ca.Id} RETURNING "CrlNumber" AS "Value" """).ToListAsync(ct);
            ca.CrlNumber = numbers.Single();
        }
        else
        {
            ca.CrlNumber = 1;
        }
        // Callers save their revocations first: this query, made after the lock, sees every committed one.
        var entries = (await db.Certificates.AsNoTracking()
                .Where(c => c.CaId == ca.Id && c.Status == CertificateStatus.Revoked)
                .Select(c => new { c.Serial, c.RevokedAt, c.RevocationReason }).ToListAsync(ct))
            .Select(r => new RevokedEntry(Serials.FromHex(r.Serial), r.RevokedAt ?? time.GetUtcNow(),
                RevocationReasons.TryParse(r.RevocationReason, out var reason) ? reason : RevocationReason.Unspecified))
            .ToList();

        var now = time.GetUtcNow();
        var next = now.AddDays(ca.CrlLifetimeDays);
        var crl = CrlBuilder.Build(keys.Open(ca), BigInteger.ValueOf(ca.CrlNumber), now, next, entries);
        ca.CrlDer = crl.GetEncoded();
        ca.CrlThisUpdate = now;
        ca.CrlNextUpdate = next;
        ca.CrlEntries = entries.Count;
        ca.CrlLastError = null;
        return Info(ca);
    }

    public static CrlInfo Info(CertificateAuthority ca) => new(ca.CrlNumber, ca.CrlThisUpdate, ca.CrlNextUpdate, ca.CrlEntries, ca.CrlLastError);
}
