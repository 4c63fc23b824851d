using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminPortal.Data.Pki;

/// <summary>
/// A CA of the portal: its certificate, its private key encrypted under the master key, and its current CRL.
/// The root has no parent; an optional issuing intermediate has the root as parent. The issuing CA (the one
/// that signs new certificates) is the intermediate when there is one, else the root.
/// </summary>
public class CertificateAuthority
{
    public Guid Id { get; set; }
    /// <summary>The root that signed this CA; null for the root itself.</summary>
    public Guid? ParentId { get; set; }
    public required string Name { get; set; }
    public required string Subject { get; set; }
    public required string KeyAlgorithm { get; set; }
    public required string CertificatePem { get; set; }
    /// <summary>PKCS#8 private key, AES-GCM under the master key with purpose <c>ca:ID</c>.</summary>
    public required byte[] EncryptedKey { get; set; }
    public required string Serial { get; set; }
    public required string Sha256Fingerprint { get; set; }
    public DateTimeOffset NotBefore { get; set; }
    public DateTimeOffset NotAfter { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }

    /// <summary>The last cRLNumber used; incremented under a row lock, so it never repeats, across instances too.</summary>
    public long CrlNumber { get; set; }
    public int CrlLifetimeDays { get; set; } = 30;
    public byte[]? CrlDer { get; set; }
    public DateTimeOffset? CrlThisUpdate { get; set; }
    public DateTimeOffset? CrlNextUpdate { get; set; }
    public int CrlEntries { get; set; }
    public string? CrlLastError { get; set; }
}

internal sealed class CertificateAuthorityConfiguration : IEntityTypeConfiguration<CertificateAuthority>
{
    public void Configure(EntityTypeBuilder<CertificateAuthority> b)
    {
        b.ToTable("certificate_authorities");
        b.Property(c => c.Name).HasMaxLength(64);
        b.Property(c => c.Subject).HasMaxLength(256);
        b.Property(c => c.KeyAlgorithm).HasMaxLength(16);
        b.Property(c => c.Serial).HasMaxLength(64);
        b.Property(c => c.Sha256Fingerprint).HasMaxLength(95);
        b.Property(c => c.CreatedBy).HasMaxLength(256);
        b.Property(c => c.CrlLastError).HasMaxLength(2000);
        // At most one intermediate under a root.
        b.HasIndex(c => c.ParentId).IsUnique();
        b.HasOne<CertificateAuthority>().WithMany().HasForeignKey(c => c.ParentId).OnDelete(DeleteBehavior.Restrict);
    }
}
