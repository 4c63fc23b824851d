using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Pki;
using AdminPortal.Pki;
using AdminPortal.Pki.EasyRsa;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using Microsoft.EntityFrameworkCore;
using Org.BouncyCastle.X509;

namespace AdminPortal.Web.Pki;

public sealed record ImportedItem(string Name, string Serial, string Status, bool Imported, string? Note);

public sealed record ImportReport(string Ca, int Imported, int Skipped, IReadOnlyList<ImportedItem> Items, IReadOnlyList<string> Problems);

/// <summary>
/// Takes over an existing easy-rsa 3 PKI (the pki/ folder): the CA certificate and key, every issued
/// certificate with its key where present, and index.txt's valid, revoked (date and reason kept) and expired
/// entries. Serials are kept, so existing client configs keep working and the portal's CRL still revokes
/// what easy-rsa revoked. Into a portal without a CA only; one audited transaction.
/// </summary>
public sealed class EasyRsaImport(AuditedWork work, CaKeys keys, CrlService crls, SecretProtector secrets, TimeProvider time)
{
    /// <param name="progress">Called with (certificates done, total) as the import goes (for the UI's progress).</param>
    public async Task<Result<ImportReport>> ImportAsync(string pkiDir, string? passphrase, AuditActor actor, CancellationToken ct,
        Action<int, int>? progress = null)
    {
        string Path_(params string[] parts) => Path.Combine([pkiDir, .. parts]);
        if (!File.Exists(Path_("ca.crt")) || !File.Exists(Path_("private", "ca.key")) || !File.Exists(Path_("index.txt")))
            return new InvalidInput("dir", "Not an easy-rsa 3 PKI folder: ca.crt, private/ca.key and index.txt are expected in it.");
        X509Certificate caCert;
        try { caCert = Pem.ReadCertificate(await File.ReadAllTextAsync(Path_("ca.crt"), ct)); }
        catch (Exception e) when (e is FormatException or IOException or ArgumentException) { return new InvalidInput("dir", "ca.crt is not a certificate."); }
        var caKey = PrivateKeys.Read(await File.ReadAllTextAsync(Path_("private", "ca.key"), ct), passphrase);
        if (caKey is null)
            return new InvalidInput("passphrase", passphrase is null ? "The CA key is encrypted: give its passphrase." : "The passphrase does not open the CA key.");
        if (!KeyPairs.PublicOf(caKey).Equals(caCert.GetPublicKey()))
            return new InvalidInput("dir", "private/ca.key does not belong to ca.crt.");
        var (entries, problems) = IndexFile.Parse(await File.ReadAllTextAsync(Path_("index.txt"), ct));

        return await work.RunAsync<Result<ImportReport>>(async (_, db, c) =>
        {
            await db.Database.LockForTransactionAsync(AdvisoryLocks.CertificateAuthority, c);
            if (await db.CertificateAuthorities.AnyAsync(c)) return (new Conflict("The portal already has a certificate authority: import into a fresh portal."), null);
            var now = time.GetUtcNow();
            var cn = caCert.SubjectDN.GetValueList(Org.BouncyCastle.Asn1.X509.X509Name.CN).Cast<string>().LastOrDefault() ?? "Imported CA";
            var ca = new CertificateAuthority
            {
                Id = Guid.NewGuid(), Name = cn.Length > 64 ? cn[..64] : cn, Subject = caCert.SubjectDN.ToString(),
                KeyAlgorithm = KeyPairs.AlgorithmOf(caCert.GetPublicKey()).Name(), CertificatePem = Pem.Certificate(caCert), EncryptedKey = [],
                Serial = Serials.ToHex(caCert.SerialNumber), Sha256Fingerprint = CaService.Fingerprint(caCert.GetEncoded()),
                NotBefore = CaService.Utc(caCert.NotBefore), NotAfter = CaService.Utc(caCert.NotAfter), CreatedAt = now, CreatedBy = actor.Name,
            };
            ca.EncryptedKey = keys.Seal(ca.Id, KeyPairs.ExportPkcs8(caKey));
            db.CertificateAuthorities.Add(ca);

            var items = new List<ImportedItem>();
            var users = new Dictionary<string, VpnUser>();
            // Newest first, so a renewed user's current certificate is the active one.
            foreach (var e in entries.OrderByDescending(e => e.Expires))
            {
                items.Add(ImportOne(db, ca, caCert, e, users, pkiDir, actor, now));
                progress?.Invoke(items.Count, entries.Count);
            }
            await db.SaveChangesAsync(c);
            var crl = await crls.RegenerateAsync(db, ca, c);
            var report = new ImportReport(ca.Name, items.Count(i => i.Imported), items.Count(i => !i.Imported), items, problems);
            return (report, new AuditEntry(actor, "pki.easyrsa.imported", $"ca:{ca.Name}",
                new { imported = report.Imported, skipped = report.Skipped, revoked = items.Count(i => i.Imported && i.Status == "revoked"), crlNumber = crl.Number }));
        }, ct);
    }

    private ImportedItem ImportOne(PortalDbContext db, CertificateAuthority ca, X509Certificate caCert, IndexEntry e,
        Dictionary<string, VpnUser> users, string pkiDir, AuditActor actor, DateTimeOffset now)
    {
        var name = e.CommonName ?? "";
        var status = e.Status == 'R' ? CertificateStatus.Revoked : CertificateStatus.Active;
        ImportedItem Skip(string why) => new(name, e.SerialHex.ToLowerInvariant(), status, false, why);

        var certText = FirstExisting(pkiDir, ["certs_by_serial", $"{e.SerialHex}.pem"], ["issued", $"{name}.crt"], ["revoked", "certs_by_serial", $"{e.SerialHex}.crt"]);
        if (certText is null) return Skip("certificate file not found");
        X509Certificate cert;
        try { cert = Pem.ReadCertificate(certText); }
        catch (Exception ex) when (ex is FormatException or IOException or ArgumentException) { return Skip("certificate file unreadable"); }
        if (!string.Equals(Serials.ToHex(cert.SerialNumber), e.SerialHex.TrimStart('0').ToLowerInvariant(), StringComparison.Ordinal))
            return Skip("certificate file does not match the index serial");
        try { cert.Verify(caCert.GetPublicKey()); }
        catch (Exception) { return Skip("not signed by this CA"); }

        var eku = cert.GetExtendedKeyUsage()?.Select(o => o.Id).ToList() ?? [];
        var kind = eku.Contains(Org.BouncyCastle.Asn1.X509.KeyPurposeID.id_kp_serverAuth.Id) ? "server" : "client";
        VpnUser? user = null;
        if (kind == "client")
        {
            if (PkiInput.Name(name) is not null) return Skip("the name is not a valid VPN user name");
            if (!users.TryGetValue(name, out user))
                users[name] = user = db.VpnUsers.Add(new VpnUser { Id = Guid.NewGuid(), Name = name, CreatedAt = now }).Entity;
            if (status == CertificateStatus.Active && db.ChangeTracker.Entries<IssuedCertificate>().Any(x => x.Entity.VpnUserId == user.Id && x.Entity.Status == CertificateStatus.Active))
                return Skip("a newer valid certificate of this user was imported; this older one stays valid in easy-rsa's terms but is not tracked");
        }

        var keyText = FirstExisting(pkiDir, ["private", $"{name}.key"], ["revoked", "private_by_serial", $"{e.SerialHex}.key"]);
        var key = keyText is null ? null : PrivateKeys.Read(keyText, null);
        if (key is not null && !KeyPairs.PublicOf(key).Equals(cert.GetPublicKey())) key = null;
        var id = Guid.NewGuid();
        db.Certificates.Add(new IssuedCertificate
        {
            Id = id, CaId = ca.Id, Serial = Serials.ToHex(cert.SerialNumber), Kind = kind, CommonName = name, VpnUserId = user?.Id,
            Profile = VpnUserService.Profile, CertificatePem = Pem.Certificate(cert), KeyAlgorithm = KeyPairs.AlgorithmOf(cert.GetPublicKey()).Name(),
            EncryptedKey = key is null ? null : secrets.Protect(KeyPairs.ExportPkcs8(key), CaKeys.CertificatePurpose(id)),
            NotBefore = CaService.Utc(cert.NotBefore), NotAfter = CaService.Utc(cert.NotAfter), Status = status,
            RevokedAt = e.RevokedAt, RevocationReason = e.Reason?.Name(), RevokedBy = e.RevokedAt is null ? null : "easy-rsa",
            IssuedAt = CaService.Utc(cert.NotBefore), IssuedBy = $"easy-rsa (imported by {actor.Name})",
        });
        var note = key is null && status == CertificateStatus.Active && kind == "client" ? "imported without its key (not found or encrypted): bundles need a new certificate" : null;
        return new ImportedItem(name, Serials.ToHex(cert.SerialNumber), status, true, note);
    }

    private static string? FirstExisting(string root, params string[][] candidates)
    {
        foreach (var parts in candidates)
        {
            var path = Path.Combine([root, .. parts]);
            if (File.Exists(path)) return File.ReadAllText(path);
        }
        return null;
    }
}
