using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Pki;
using AdminPortal.Pki;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Notifications;
using AdminPortal.Web.Operators;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AdminPortal.Web.Pki;

public sealed record IssueUserRequest(string? Name, string? Email, int? ValidDays, string? KeyAlgorithm, string? CsrPem = null);

public sealed record VpnUserCertificate(string Name, string? Email, string Status, string Serial, DateTimeOffset NotAfter, string CertificatePem);

/// <summary>
/// Issue, revoke and renew VPN users' client certificates; each change and its CRL in one audited transaction. New
/// certificates come from the issuing CA (the intermediate when there is one); a revocation goes on the CRL of the
/// CA that issued the certificate.
/// </summary>
public sealed class VpnUserService(AuditedWork work, CaKeys keys, CrlService crls, CrlChanges changes, SecretProtector secrets,
    NotificationService notifications, IOptions<PkiOptions> options, TimeProvider time)
{
    public const string Profile = "default";

    /// <summary>
    /// Issues the user's certificate; <paramref name="alsoInTransaction"/> (the onboarding wizard's step record) runs in the
    /// same transaction once the certificate is saved.
    /// </summary>
    public async Task<Result<VpnUserCertificate>> IssueAsync(IssueUserRequest request, AuditActor actor, CancellationToken ct,
        Func<PortalDbContext, VpnUserCertificate, CancellationToken, Task>? alsoInTransaction = null)
    {
        if ((PkiInput.Name(request.Name) ?? PkiInput.Days(request.ValidDays, 3650)) is { } bad) return bad;
        if (request.Email is not null && OperatorInput.Email(request.Email) is { } badEmail) return badEmail;
        var algorithm = PkiInput.Algorithm(request.KeyAlgorithm, KeyAlgorithms.TryParse(options.Value.DefaultKeyAlgorithm, out var d) ? d : KeyAlgorithm.EcdsaP256);
        if (!algorithm.Ok) return algorithm.Error!;
        Org.BouncyCastle.Crypto.AsymmetricKeyParameter? csrKey = null;
        if (request.CsrPem is not null && (csrKey = CsrReader.PublicKeyOf(request.CsrPem)) is null)
            return new InvalidInput("csr", "The CSR is not a valid, self-signed PKCS#10 request with a supported key (ECDSA P-256/P-384, RSA, Ed25519).");
        // Key generation (RSA can take a while) happens before the transaction.
        var pair = csrKey is null ? await Task.Run(() => KeyPairs.Generate(algorithm.Value), ct) : null;

        return await work.RunAsync<Result<VpnUserCertificate>>(async (_, db, c) =>
        {
            var ca = await db.CertificateAuthorities.IssuingAsync(c);
            if (ca is null) return (new Conflict("There is no certificate authority yet: create it first."), null);
            var user = await db.VpnUsers.FirstOrDefaultAsync(u => u.Name == request.Name, c);
            if (user is not null && await db.Certificates.AnyAsync(x => x.VpnUserId == user.Id && x.Profile == Profile && x.Status == CertificateStatus.Active, c))
                return (new Conflict($"'{request.Name}' already has an active certificate: renew or revoke it."), null);
            user ??= db.VpnUsers.Add(new VpnUser { Id = Guid.NewGuid(), Name = request.Name!, Email = request.Email, CreatedAt = time.GetUtcNow() }).Entity;
            if (request.Email is not null) user.Email = request.Email;
            var cert = Issue(ca, user, pair?.Public ?? csrKey!, pair?.Private, request.ValidDays, actor);
            db.Certificates.Add(cert);
            if (await SaveAsync(db, c) is { } conflict) return (conflict, null);
            if (alsoInTransaction is not null) await alsoInTransaction(db, View(user, cert), c);
            return (View(user, cert), new AuditEntry(actor, "pki.certificate.issued", $"vpn-user:{user.Name}",
                new { serial = cert.Serial, kind = cert.Kind, keyAlgorithm = cert.KeyAlgorithm, notAfter = cert.NotAfter, fromCsr = csrKey is not null }));
        }, ct);
    }

    public async Task<Result<VpnUserCertificate>> RevokeAsync(string name, string? reasonText, AuditActor actor, CancellationToken ct)
    {
        var reason = PkiInput.Reason(reasonText);
        if (!reason.Ok) return reason.Error!;
        var revoked = await work.RunAsync<Result<VpnUserCertificate>>(async (_, db, c) =>
        {
            var (user, cert, error) = await ActiveAsync(db, name, c);
            if (error is not null) return (error, null);
            var ca = await db.CertificateAuthorities.SingleAsync(x => x.Id == cert!.CaId, c);
            Revoke(cert!, reason.Value, actor);
            await db.SaveChangesAsync(c);
            var crl = await crls.RegenerateAsync(db, ca, c);
            await notifications.QueueRevocationAsync(db, user!.Name, user.Email, cert!.Serial, reason.Value.Name(), cert.RevokedAt!.Value, c);
            return (View(user!, cert!), new AuditEntry(actor, "pki.certificate.revoked", $"vpn-user:{user!.Name}",
                new { serial = cert!.Serial, reason = reason.Value.Name(), crlNumber = crl.Number }));
        }, ct);
        // Committed: the VPN servers get the new CRL and the user's live sessions are ended (CrlDistribution).
        if (revoked.Ok) changes.Committed(new CrlChange("revocation", name));
        return revoked;
    }

    /// <summary>A new certificate (new key) for the same user; the old one is revoked as superseded.</summary>
    public async Task<Result<VpnUserCertificate>> RenewAsync(string name, AuditActor actor, CancellationToken ct)
    {
        var renewed = await work.RunAsync<Result<VpnUserCertificate>>(async (_, db, c) =>
        {
            var (user, old, error) = await ActiveAsync(db, name, c);
            if (error is not null) return (error, null);
            // The old certificate's CA lists its revocation; the new one comes from the issuing CA (they differ once an
            // intermediate was added to a root that had already issued).
            var oldCa = await db.CertificateAuthorities.SingleAsync(x => x.Id == old!.CaId, c);
            var issuing = (await db.CertificateAuthorities.IssuingAsync(c))!;
            Revoke(old!, RevocationReason.Superseded, actor);
            await db.SaveChangesAsync(c);
            var pair = KeyPairs.Generate(KeyAlgorithms.TryParse(old!.KeyAlgorithm, out var a) ? a : KeyAlgorithm.EcdsaP256);
            var cert = Issue(issuing, user!, pair.Public, pair.Private, null, actor);
            db.Certificates.Add(cert);
            if (await SaveAsync(db, c) is { } conflict) return (conflict, null);
            var crl = await crls.RegenerateAsync(db, oldCa, c);
            return (View(user!, cert), new AuditEntry(actor, "pki.certificate.renewed", $"vpn-user:{user!.Name}",
                new { oldSerial = old.Serial, serial = cert.Serial, notAfter = cert.NotAfter, crlNumber = crl.Number }));
        }, ct);
        // The new CRL goes to the servers; sessions stay (the same CN now has a valid certificate).
        if (renewed.Ok) changes.Committed(new CrlChange("renewal"));
        return renewed;
    }

    private IssuedCertificate Issue(CertificateAuthority ca, VpnUser user, Org.BouncyCastle.Crypto.AsymmetricKeyParameter publicKey,
        Org.BouncyCastle.Crypto.AsymmetricKeyParameter? privateKey, int? validDays, AuditActor actor)
    {
        var now = time.GetUtcNow();
        var x509 = CertificateBuilder.Issue(keys.Open(ca), CertificateKind.Client, user.Name, publicKey, now,
            TimeSpan.FromDays(validDays ?? options.Value.CertificateValidDays), Serials.New());
        var id = Guid.NewGuid();
        return new IssuedCertificate
        {
            Id = id, CaId = ca.Id, Serial = Serials.ToHex(x509.SerialNumber), Kind = "client", CommonName = user.Name, VpnUserId = user.Id,
            Profile = Profile, CertificatePem = Pem.Certificate(x509), KeyAlgorithm = KeyPairs.AlgorithmOf(publicKey).Name(),
            EncryptedKey = privateKey is null ? null : secrets.Protect(KeyPairs.ExportPkcs8(privateKey), CaKeys.CertificatePurpose(id)),
            NotBefore = CaService.Utc(x509.NotBefore), NotAfter = CaService.Utc(x509.NotAfter), IssuedAt = now, IssuedBy = actor.Name,
        };
    }

    private void Revoke(IssuedCertificate cert, RevocationReason reason, AuditActor actor)
    {
        cert.Status = CertificateStatus.Revoked;
        cert.RevokedAt = time.GetUtcNow();
        cert.RevocationReason = reason.Name();
        cert.RevokedBy = actor.Name;
    }

    private static async Task<(VpnUser?, IssuedCertificate?, PortalError?)> ActiveAsync(PortalDbContext db, string name, CancellationToken ct)
    {
        var user = await db.VpnUsers.FirstOrDefaultAsync(u => u.Name == name, ct);
        if (user is null) return (null, null, new NotFound("VPN user", name));
        // Lock the active certificate row: two concurrent revocations cannot both succeed.
        var cert = await db.Certificates.FromSql(
                $"""SELECT * FROM certificates WHERE "VpnUserId" = {user.Id} AND "Profile" = {Profile} AND "Status" = 'active' FOR UPDATE""")
            .FirstOrDefaultAsync(ct);
        return cert is null
            ? (user, null, new Conflict($"'{name}' has no active certificate (it is already revoked)."))
            : (user, cert, null);
    }

    /// <summary>Saves; a unique-constraint race (same user issued twice at once) is a conflict, not a fault.</summary>
    private static async Task<PortalError?> SaveAsync(PortalDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return new Conflict("Another request changed this user at the same moment; try again.");
        }
    }

    private static VpnUserCertificate View(VpnUser user, IssuedCertificate cert) =>
        new(user.Name, user.Email, cert.Status, cert.Serial, cert.NotAfter, cert.CertificatePem);
}
