using AdminPortal.Data.Bundles;
using AdminPortal.Data.Pki;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminPortal.Data.ClientConfigs;

/// <summary>
/// A VPN user's client-config-dir settings on the servers of one profile: a fixed tunnel address and the networks
/// behind the client (iroute). Rendered into the file ccd/&lt;CN&gt; on each of the profile's servers.
/// </summary>
public class VpnClientConfig
{
    public Guid Id { get; set; }
    public Guid VpnUserId { get; set; }
    public VpnUser? User { get; set; }
    public Guid ProfileId { get; set; }
    public VpnProfile? Profile { get; set; }
    /// <summary>IPv4 address inside the profile's ServerNetwork (ifconfig-push), or null for a pool address.</summary>
    public string? StaticAddress { get; set; }
    /// <summary>Networks behind the client as CIDR (iroute), e.g. <c>192.168.50.0/24</c>.</summary>
    public string[] Routes { get; set; } = [];
    public DateTimeOffset UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
}

internal sealed class VpnClientConfigConfiguration : IEntityTypeConfiguration<VpnClientConfig>
{
    public void Configure(EntityTypeBuilder<VpnClientConfig> b)
    {
        b.ToTable("vpn_client_configs");
        b.Property(c => c.StaticAddress).HasMaxLength(15);
        b.Property(c => c.UpdatedBy).HasMaxLength(256);
        b.HasIndex(c => new { c.VpnUserId, c.ProfileId }).IsUnique();
        // One address, one user: PostgreSQL lets NULLs (pool addresses) repeat.
        b.HasIndex(c => new { c.ProfileId, c.StaticAddress }).IsUnique();
        b.HasOne(c => c.User).WithMany().HasForeignKey(c => c.VpnUserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(c => c.Profile).WithMany().HasForeignKey(c => c.ProfileId).OnDelete(DeleteBehavior.Cascade);
    }
}
