using System.Text.Json;
using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Pki;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AdminPortal.Web.Pki;

public sealed record BackupSummary(string Ca, int Users, int Certificates, long CrlNumber, long AuditSequence);

/// <summary>
/// The "server died or was compromised" path: a passphrase-encrypted archive of the CA (with its key, and its
/// issuing intermediate with its key when there is one), VPN
/// users, certificates (with their keys) and revocations, and the audit chain's head and latest signed
/// checkpoint, so that a new portal can take over. Keys leave the portal only inside this archive.
/// </summary>
public sealed class PkiBackup(AuditedWork work, IDbContextFactory<PortalDbContext> dbs, NpgsqlDataSource dataSource, SecretProtector secrets,
    CaKeys keys, CrlService crls, AuditIntegrity integrity, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Archive(int Version, DateTimeOffset CreatedAt, string CreatedBy, CertificateAuthority Ca, string CaKey,
        List<VpnUser> Users, List<IssuedCertificate> Certificates, Dictionary<Guid, string> CertificateKeys,
        long AuditSequence, string AuditHeadHash, AuditCheckpoint? Checkpoint,
        CertificateAuthority? Intermediate = null, string? IntermediateKey = null); // absent in archives made before intermediates

    public async Task<Result<(byte[] File, BackupSummary Summary)>> CreateAsync(string? passphrase, AuditActor actor, CancellationToken ct)
    {
        if (passphrase is null || passphrase.Length < PassphraseBox.MinPassphraseLength)
            return new InvalidInput("passphrase", $"The backup passphrase must be at least {PassphraseBox.MinPassphraseLength} characters.");
        await using var db = await dbs.CreateDbContextAsync(ct);
        var ca = await db.CertificateAuthorities.AsNoTracking().RootAsync(ct);
        if (ca is null) return new Conflict("There is no certificate authority to back up.");
        var intermediate = await db.CertificateAuthorities.AsNoTracking().FirstOrDefaultAsync(c => c.ParentId == ca.Id, ct);
        var users = await db.VpnUsers.AsNoTracking().ToListAsync(ct);
        var certs = await db.Certificates.AsNoTracking().ToListAsync(ct);
        var certKeys = certs.Where(c => c.EncryptedKey is not null)
            .ToDictionary(c => c.Id, c => Convert.ToBase64String(secrets.Unprotect(c.EncryptedKey!, CaKeys.CertificatePurpose(c.Id))));
        var caKey = KeyOf(ca);
        var intermediateKey = intermediate is null ? null : KeyOf(intermediate);
        foreach (var c in certs) c.EncryptedKey = null;
        var (sequence, head) = await HeadAsync(ct);
        var archive = new Archive(1, time.GetUtcNow(), actor.Name, ca, caKey, users, certs, certKeys, sequence, head, integrity.Latest(),
            intermediate, intermediateKey);
        var file = PassphraseBox.Seal(JsonSerializer.SerializeToUtf8Bytes(archive, Json), passphrase);
        var summary = new BackupSummary(ca.Name, users.Count, certs.Count, ca.CrlNumber, sequence);
        await work.RecordAsync(new AuditEntry(actor, "pki.backup.created", $"ca:{ca.Name}",
            new { users = summary.Users, certificates = summary.Certificates, auditSequence = sequence }), ct);
        return (file, summary);
    }

    /// <summary>Restores an archive into a portal that has no CA yet; the next CRL continues the numbering.</summary>
    public async Task<Result<BackupSummary>> RestoreAsync(byte[] file, string? passphrase, AuditActor actor, CancellationToken ct)
    {
        var plain = passphrase is null ? null : PassphraseBox.Open(file, passphrase);
        if (plain is null) return new InvalidInput("passphrase", "The passphrase does not open this backup (or the file is not an AdminPortal backup).");
        Archive archive;
        try { archive = JsonSerializer.Deserialize<Archive>(plain, Json) ?? throw new JsonException(); }
        catch (JsonException) { return new InvalidInput("file", "The backup's content is not readable."); }

        return await work.RunAsync<Result<BackupSummary>>(async (_, db, c) =>
        {
            await db.Database.LockForTransactionAsync(AdvisoryLocks.CertificateAuthority, c);
            if (await db.CertificateAuthorities.AnyAsync(c)) return (new Conflict("This portal already has a certificate authority: restore into a fresh portal."), null);
            var ca = archive.Ca;
            ca.EncryptedKey = keys.Seal(ca.Id, Convert.FromBase64String(archive.CaKey));
            db.CertificateAuthorities.Add(ca);
            if (archive.Intermediate is { } sub)
            {
                sub.EncryptedKey = keys.Seal(sub.Id, Convert.FromBase64String(archive.IntermediateKey!));
                db.CertificateAuthorities.Add(sub);
            }
            db.VpnUsers.AddRange(archive.Users.Select(u => { u.Certificates = []; return u; }));
            foreach (var cert in archive.Certificates)
            {
                cert.VpnUser = null;
                cert.EncryptedKey = archive.CertificateKeys.TryGetValue(cert.Id, out var k)
                    ? secrets.Protect(Convert.FromBase64String(k), CaKeys.CertificatePurpose(cert.Id)) : null;
                db.Certificates.Add(cert);
            }
            await db.SaveChangesAsync(c);
            var crl = await crls.RegenerateAsync(db, ca, c);
            if (archive.Intermediate is { } restored) await crls.RegenerateAsync(db, restored, c);
            var summary = new BackupSummary(ca.Name, archive.Users.Count, archive.Certificates.Count, crl.Number, archive.AuditSequence);
            return (summary, new AuditEntry(actor, "pki.backup.restored", $"ca:{ca.Name}", new
            {
                users = summary.Users, certificates = summary.Certificates, crlNumber = crl.Number, backupCreatedAt = archive.CreatedAt,
                previousAuditSequence = archive.AuditSequence, previousAuditHead = archive.AuditHeadHash,
                previousCheckpoint = archive.Checkpoint is { } cp ? new { cp.Sequence, cp.HeadHash, cp.CreatedAt } : null,
            }));
        }, ct);
    }

    /// <summary>The CA's PKCS#8 key in base64 for the archive; the row keeps no sealed key (it is sealed anew on restore).</summary>
    private string KeyOf(CertificateAuthority ca)
    {
        var key = Convert.ToBase64String(secrets.Unprotect(ca.EncryptedKey, CaKeys.Purpose(ca.Id)));
        ca.EncryptedKey = [];
        return key;
    }

    private async Task<(long, string)> HeadAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT sequence, hash FROM audit_chain_head WHERE id = 1");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return (r.GetInt64(0), Convert.ToHexStringLower(r.GetFieldValue<byte[]>(1)));
    }
}
