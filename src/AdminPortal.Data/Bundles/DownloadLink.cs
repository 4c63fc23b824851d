using AdminPortal.Data.Pki;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminPortal.Data.Bundles;

/// <summary>
/// A one-time link to a user's bundle for one profile and platform. Only the SHA-256 of its token is kept;
/// it is used at most once (<see cref="UsedAt"/> is set by a conditional update), expires and can be revoked.
/// </summary>
public class DownloadLink
{
    public Guid Id { get; set; }
    public required byte[] TokenHash { get; set; }
    public Guid VpnUserId { get; set; }
    public VpnUser? VpnUser { get; set; }
    public Guid ProfileId { get; set; }
    public VpnProfile? Profile { get; set; }
    public required string Platform { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
    public string? UsedFrom { get; set; }
    /// <summary>The serial of the certificate the bundle carried when the link was used.</summary>
    public string? UsedSerial { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedBy { get; set; }
    public string? EmailedTo { get; set; }
}

internal sealed class DownloadLinkConfiguration : IEntityTypeConfiguration<DownloadLink>
{
    public void Configure(EntityTypeBuilder<DownloadLink> b)
    {
        b.ToTable("download_links");
        b.HasIndex(l => l.TokenHash).IsUnique();
        b.HasIndex(l => new { l.VpnUserId, l.CreatedAt });
        b.Property(l => l.Platform).HasMaxLength(16);
        b.Property(l => l.CreatedBy).HasMaxLength(256);
        b.Property(l => l.UsedFrom).HasMaxLength(64);
        b.Property(l => l.UsedSerial).HasMaxLength(64);
        b.Property(l => l.RevokedBy).HasMaxLength(256);
        b.Property(l => l.EmailedTo).HasMaxLength(256);
        b.HasOne(l => l.VpnUser).WithMany().HasForeignKey(l => l.VpnUserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(l => l.Profile).WithMany().HasForeignKey(l => l.ProfileId).OnDelete(DeleteBehavior.Cascade);
    }
}
