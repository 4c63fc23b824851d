using System.Security.Cryptography;
using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Pki;
using AdminPortal.Pki;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Pki;

public sealed record CaInfo(
    string Name, string Subject, string KeyAlgorithm, string Serial, string Sha256Fingerprint,
    DateTimeOffset NotBefore, DateTimeOffset NotAfter, CrlInfo Crl, string CertificatePem);

/// <summary>Creates the portal's certificate authority (once) and describes it.</summary>
public sealed class CaService(AuditedWork work, IDbContextFactory<PortalDbContext> dbs, CaKeys keys, CrlService crls, IOptions<PkiOptions> options, TimeProvider time)
{
    public async Task<Result<CaInfo>> CreateAsync(string? name, string? keyAlgorithm, int? validDays, AuditActor actor, CancellationToken ct)
    {
        if ((PkiInput.Name(name) ?? PkiInput.Days(validDays, 36500)) is { } bad) return bad;
        var algorithm = PkiInput.Algorithm(keyAlgorithm, KeyAlgorithm.EcdsaP256);
        if (!algorithm.Ok) return algorithm.Error!;
        return await work.RunAsync<Result<CaInfo>>(async (_, db, c) =>
        {
            // Serialize creators: the first one wins, the others see it.
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(7274002)", c);
            if (await db.CertificateAuthorities.AnyAsync(c)) return (new Conflict("The certificate authority already exists."), null);
            var now = time.GetUtcNow();
            var pair = KeyPairs.Generate(algorithm.Value);
            var cert = CertificateBuilder.CreateRootCa(name!, pair, now, TimeSpan.FromDays(validDays ?? options.Value.CaValidDays), Serials.New());
            var ca = new CertificateAuthority
            {
                Id = Guid.NewGuid(), Name = name!, Subject = cert.SubjectDN.ToString(), KeyAlgorithm = algorithm.Value.Name(),
                CertificatePem = Pem.Certificate(cert), EncryptedKey = [], Serial = Serials.ToHex(cert.SerialNumber),
                Sha256Fingerprint = Fingerprint(cert.GetEncoded()), NotBefore = Utc(cert.NotBefore), NotAfter = Utc(cert.NotAfter),
                CreatedAt = now, CreatedBy = actor.Name, CrlLifetimeDays = options.Value.CrlLifetimeDays,
            };
            ca.EncryptedKey = keys.Seal(ca.Id, KeyPairs.ExportPkcs8(pair.Private));
            db.CertificateAuthorities.Add(ca);
            await crls.RegenerateAsync(db, ca, c);
            return (Info(ca), new AuditEntry(actor, "pki.ca.created", $"ca:{ca.Name}",
                new { keyAlgorithm = ca.KeyAlgorithm, serial = ca.Serial, notAfter = ca.NotAfter, fingerprint = ca.Sha256Fingerprint }));
        }, ct);
    }

    public async Task<CaInfo?> GetAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var ca = await db.CertificateAuthorities.AsNoTracking().FirstOrDefaultAsync(ct);
        return ca is null ? null : Info(ca);
    }

    public static CaInfo Info(CertificateAuthority ca) => new(
        ca.Name, ca.Subject, ca.KeyAlgorithm, ca.Serial, ca.Sha256Fingerprint, ca.NotBefore, ca.NotAfter, CrlService.Info(ca), ca.CertificatePem);

    public static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));

    public static string Fingerprint(byte[] der) => Convert.ToHexString(SHA256.HashData(der)).Chunk(2).Select(p => new string(p)).Aggregate((a, b) => a + ":" + b);
}
