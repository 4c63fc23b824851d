using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminPortal.Data.Pki;

/// <summary>A person who connects to the VPN; their certificates hang off this row.</summary>
public class VpnUser
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public string? Email { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public List<IssuedCertificate> Certificates { get; set; } = [];
}

internal sealed class VpnUserConfiguration : IEntityTypeConfiguration<VpnUser>
{
    public void Configure(EntityTypeBuilder<VpnUser> b)
    {
        b.ToTable("vpn_users");
        b.Property(u => u.Name).HasMaxLength(64);
        b.Property(u => u.Email).HasMaxLength(254);
        b.HasIndex(u => u.Name).IsUnique();
    }
}
