using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminPortal.Data.Pki;

public static class CertificateStatus
{
    public const string Active = "active";
    public const string Revoked = "revoked";
}

/// <summary>A certificate the CA issued (client or server), with its key when the portal generated it.</summary>
public class IssuedCertificate
{
    public Guid Id { get; set; }
    public Guid CaId { get; set; }
    /// <summary>Lower-case hex; unique per CA by constraint.</summary>
    public required string Serial { get; set; }
    public required string Kind { get; set; }
    public required string CommonName { get; set; }
    public Guid? VpnUserId { get; set; }
    public VpnUser? VpnUser { get; set; }
    public string Profile { get; set; } = "default";
    public required string CertificatePem { get; set; }
    /// <summary>PKCS#8, encrypted under the master key (purpose <c>cert:ID</c>); null when issued from a CSR.</summary>
    public byte[]? EncryptedKey { get; set; }
    public required string KeyAlgorithm { get; set; }
    public DateTimeOffset NotBefore { get; set; }
    public DateTimeOffset NotAfter { get; set; }
    public string Status { get; set; } = CertificateStatus.Active;
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevocationReason { get; set; }
    public string? RevokedBy { get; set; }
    public DateTimeOffset IssuedAt { get; set; }
    public required string IssuedBy { get; set; }
}

internal sealed class IssuedCertificateConfiguration : IEntityTypeConfiguration<IssuedCertificate>
{
    public void Configure(EntityTypeBuilder<IssuedCertificate> b)
    {
        b.ToTable("certificates");
        b.Property(c => c.Serial).HasMaxLength(64);
        b.Property(c => c.Kind).HasMaxLength(16);
        b.Property(c => c.CommonName).HasMaxLength(64);
        b.Property(c => c.Profile).HasMaxLength(64);
        b.Property(c => c.KeyAlgorithm).HasMaxLength(16);
        b.Property(c => c.Status).HasMaxLength(16);
        b.Property(c => c.RevocationReason).HasMaxLength(32);
        b.Property(c => c.RevokedBy).HasMaxLength(256);
        b.Property(c => c.IssuedBy).HasMaxLength(256);
        b.HasIndex(c => new { c.CaId, c.Serial }).IsUnique();
        // One active certificate per user and profile.
        b.HasIndex(c => new { c.VpnUserId, c.Profile }).IsUnique().HasFilter("\"Status\" = 'active' AND \"VpnUserId\" IS NOT NULL");
        b.HasIndex(c => c.NotAfter);
        b.HasOne<CertificateAuthority>().WithMany().HasForeignKey(c => c.CaId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(c => c.VpnUser).WithMany(u => u.Certificates).HasForeignKey(c => c.VpnUserId).OnDelete(DeleteBehavior.Restrict);
    }
}
