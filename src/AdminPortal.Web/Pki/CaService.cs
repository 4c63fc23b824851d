using System.Security.Cryptography;
using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Pki;
using AdminPortal.Pki;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;

namespace AdminPortal.Web.Pki;

/// <summary>A CA to create: its name, key algorithm and validity (defaults when null).</summary>
public sealed record NewCa(string? Name, string? KeyAlgorithm = null, int? ValidDays = null);

/// <summary>A CA as shown: the root carries its issuing intermediate, if any; <c>Issuing</c> marks the CA that signs new certificates.</summary>
public sealed record CaInfo(
    string Name, string Subject, string KeyAlgorithm, string Serial, string Sha256Fingerprint,
    DateTimeOffset NotBefore, DateTimeOffset NotAfter, CrlInfo Crl, string CertificatePem, bool Issuing, CaInfo? Intermediate = null);

/// <summary>Creates the portal's certificate authority (once), optionally with an issuing intermediate, and describes it.</summary>
public sealed class CaService(AuditedWork work, IDbContextFactory<PortalDbContext> dbs, CaKeys keys, CrlService crls, IOptions<PkiOptions> options, TimeProvider time)
{
    private sealed record Spec(string Name, KeyAlgorithm Algorithm, int? ValidDays);

    public Task<Result<CaInfo>> CreateAsync(string? name, string? keyAlgorithm, int? validDays, AuditActor actor, CancellationToken ct) =>
        CreateAsync(new NewCa(name, keyAlgorithm, validDays), null, actor, ct);

    /// <summary>The root, and the intermediate when asked for, with both CRLs, in one audited transaction.</summary>
    public async Task<Result<CaInfo>> CreateAsync(NewCa root, NewCa? intermediate, AuditActor actor, CancellationToken ct)
    {
        var checkedRoot = Validate(root, "");
        if (!checkedRoot.Ok) return checkedRoot.Error!;
        var rootSpec = checkedRoot.Value!;
        Spec? subSpec = null;
        if (intermediate is not null)
        {
            var checkedSub = Validate(intermediate, "intermediate.", rootSpec.Name);
            if (!checkedSub.Ok) return checkedSub.Error!;
            subSpec = checkedSub.Value!;
        }
        // Key generation (RSA 4096 takes seconds) happens before the transaction.
        var rootPair = await Task.Run(() => KeyPairs.Generate(rootSpec.Algorithm), ct);
        var subPair = subSpec is null ? null : await Task.Run(() => KeyPairs.Generate(subSpec.Algorithm), ct);
        return await work.RunAsync<Result<CaInfo>>(async (_, db, c) =>
        {
            // Serialize creators: the first one wins, the others see it.
            await db.Database.LockForTransactionAsync(AdvisoryLocks.CertificateAuthority, c);
            if (await db.CertificateAuthorities.AnyAsync(c)) return (new Conflict("The certificate authority already exists."), null);
            var now = time.GetUtcNow();
            var cert = CertificateBuilder.CreateRootCa(rootSpec.Name, rootPair, now, TimeSpan.FromDays(rootSpec.ValidDays ?? options.Value.CaValidDays), Serials.New());
            var ca = await AddAsync(db, cert, rootSpec.Name, rootPair.Private, null, actor, c);
            var sub = subSpec is null ? null : await SignIntermediateAsync(db, ca, subSpec, subPair!, actor, c);
            return (Info(ca, sub), new AuditEntry(actor, "pki.ca.created", $"ca:{ca.Name}", new
            {
                keyAlgorithm = ca.KeyAlgorithm, serial = ca.Serial, notAfter = ca.NotAfter, fingerprint = ca.Sha256Fingerprint,
                intermediate = sub is null ? null : Describe(sub),
            }));
        }, ct);
    }

    /// <summary>Adds the issuing intermediate to a root-only CA; new certificates are signed by it from then on.</summary>
    public async Task<Result<CaInfo>> AddIntermediateAsync(NewCa intermediate, AuditActor actor, CancellationToken ct)
    {
        var checkedSpec = Validate(intermediate, "");
        if (!checkedSpec.Ok) return checkedSpec.Error!;
        var spec = checkedSpec.Value!;
        var pair = await Task.Run(() => KeyPairs.Generate(spec.Algorithm), ct);
        return await work.RunAsync<Result<CaInfo>>(async (_, db, c) =>
        {
            await db.Database.LockForTransactionAsync(AdvisoryLocks.CertificateAuthority, c);
            var root = await db.CertificateAuthorities.RootAsync(c);
            if (root is null) return (new Conflict("There is no certificate authority yet: create it first."), null);
            if (await db.CertificateAuthorities.AnyAsync(x => x.ParentId != null, c)) return (new Conflict("The certificate authority already has an issuing intermediate."), null);
            if (spec.Name == root.Name) return (new InvalidInput("name", "The intermediate's name must differ from the root's."), null);
            var sub = await SignIntermediateAsync(db, root, spec, pair, actor, c);
            return (Info(root, sub), new AuditEntry(actor, "pki.ca.intermediate.created", $"ca:{sub.Name}", new { root = root.Name, intermediate = Describe(sub) }));
        }, ct);
    }

    public async Task<CaInfo?> GetAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var all = await db.CertificateAuthorities.AsNoTracking().ToListAsync(ct);
        var root = all.FirstOrDefault(c => c.ParentId is null);
        return root is null ? null : Info(root, all.FirstOrDefault(c => c.ParentId == root.Id));
    }

    private async Task<CertificateAuthority> SignIntermediateAsync(
        PortalDbContext db, CertificateAuthority root, Spec spec, AsymmetricCipherKeyPair pair, AuditActor actor, CancellationToken ct)
    {
        var cert = CertificateBuilder.CreateIntermediateCa(keys.Open(root), spec.Name, pair, time.GetUtcNow(),
            TimeSpan.FromDays(spec.ValidDays ?? options.Value.IntermediateValidDays), Serials.New());
        return await AddAsync(db, cert, spec.Name, pair.Private, root.Id, actor, ct);
    }

    /// <summary>Adds the CA row with its sealed key and signs its first CRL (number 1).</summary>
    private async Task<CertificateAuthority> AddAsync(
        PortalDbContext db, X509Certificate cert, string name, AsymmetricKeyParameter privateKey, Guid? parentId, AuditActor actor, CancellationToken ct)
    {
        var ca = new CertificateAuthority
        {
            Id = Guid.NewGuid(), ParentId = parentId, Name = name, Subject = cert.SubjectDN.ToString(), KeyAlgorithm = KeyPairs.AlgorithmOf(cert.GetPublicKey()).Name(),
            CertificatePem = Pem.Certificate(cert), EncryptedKey = [], Serial = Serials.ToHex(cert.SerialNumber),
            Sha256Fingerprint = Fingerprint(cert.GetEncoded()), NotBefore = Utc(cert.NotBefore), NotAfter = Utc(cert.NotAfter),
            CreatedAt = time.GetUtcNow(), CreatedBy = actor.Name, CrlLifetimeDays = options.Value.CrlLifetimeDays,
        };
        ca.EncryptedKey = keys.Seal(ca.Id, KeyPairs.ExportPkcs8(privateKey));
        db.CertificateAuthorities.Add(ca);
        await crls.RegenerateAsync(db, ca, ct);
        return ca;
    }

    private static Result<Spec> Validate(NewCa ca, string prefix, string? rootName = null)
    {
        if ((PkiInput.CaName(ca.Name, prefix + "name") ?? PkiInput.Days(ca.ValidDays, 36500, prefix + "validDays")) is { } bad) return bad;
        if (ca.Name == rootName) return new InvalidInput(prefix + "name", "The intermediate's name must differ from the root's.");
        var algorithm = PkiInput.Algorithm(ca.KeyAlgorithm, KeyAlgorithm.EcdsaP256, prefix + "keyAlgorithm");
        return algorithm.Ok ? new Spec(ca.Name!, algorithm.Value, ca.ValidDays) : algorithm.Error!;
    }

    private static object Describe(CertificateAuthority ca) =>
        new { name = ca.Name, keyAlgorithm = ca.KeyAlgorithm, serial = ca.Serial, notAfter = ca.NotAfter, fingerprint = ca.Sha256Fingerprint };

    public static CaInfo Info(CertificateAuthority ca, CertificateAuthority? intermediate = null) => new(
        ca.Name, ca.Subject, ca.KeyAlgorithm, ca.Serial, ca.Sha256Fingerprint, ca.NotBefore, ca.NotAfter, CrlService.Info(ca), ca.CertificatePem,
        Issuing: intermediate is null, intermediate is null ? null : Info(intermediate));

    public static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));

    public static string Fingerprint(byte[] der) => Convert.ToHexString(SHA256.HashData(der)).Chunk(2).Select(p => new string(p)).Aggregate((a, b) => a + ":" + b);
}
