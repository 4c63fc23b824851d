using AdminPortal.Data.Bundles;
using AdminPortal.Data.Hosts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminPortal.Data.VpnServers;

public static class VpnRunMode
{
    /// <summary>A systemd unit (<see cref="VpnServer.ServiceName"/>) runs OpenVPN; restart is <c>systemctl restart</c>.</summary>
    public const string Systemd = "systemd";

    /// <summary>The portal starts <c>openvpn --daemon</c> itself (optionally inside <see cref="VpnServer.NetNamespace"/>) and stops it by its pidfile.</summary>
    public const string Daemon = "daemon";
}

/// <summary>
/// A managed host plus the OpenVPN instance on it that serves one profile: where its files live, how it is restarted,
/// where its management socket is, and what the portal last published and found deployed there.
/// </summary>
public class VpnServer
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public Guid HostId { get; set; }
    public ManagedHost? Host { get; set; }
    public Guid ProfileId { get; set; }
    public VpnProfile? Profile { get; set; }
    /// <summary>Absolute path of the folder holding server.conf, the keys, crl.pem and ccd/.</summary>
    public required string ConfigDir { get; set; }
    /// <summary><see cref="VpnRunMode"/>.</summary>
    public required string RunMode { get; set; }
    /// <summary>The systemd unit (systemd mode), e.g. <c>openvpn-server@NAME.service</c>.</summary>
    public required string ServiceName { get; set; }
    /// <summary>Daemon mode only: OpenVPN is started with <c>ip netns exec NetNamespace</c>.</summary>
    public string? NetNamespace { get; set; }
    /// <summary>The unix socket of OpenVPN's management interface (<c>management PATH unix</c>).</summary>
    public required string ManagementSocket { get; set; }
    /// <summary>The user and group OpenVPN drops to after start; they must be able to read crl.pem and ccd/.</summary>
    public required string RunAsUser { get; set; }
    public required string RunAsGroup { get; set; }
    /// <summary>Allow-listed extra server directives, one per line (appended to server.conf).</summary>
    public string[] ServerDirectives { get; set; } = [];

    public DateTimeOffset? LastPublishedAt { get; set; }
    public Guid? LastPublishRunId { get; set; }

    /// <summary>CRL freshness, filled by the CRL distribution and monitor: what is deployed on this server.</summary>
    public string? DeployedCrlNumber { get; set; }
    public DateTimeOffset? DeployedCrlNextUpdate { get; set; }
    public DateTimeOffset? CrlCheckedAt { get; set; }
    /// <summary>When the portal last wrote the CRL file there successfully.</summary>
    public DateTimeOffset? CrlPushedAt { get; set; }
    public string? CrlStatus { get; set; }
    public string? CrlError { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }

    /// <summary>
    /// The sequence every publish takes its generation from when its run is created: the host keeps the highest one it
    /// installed and refuses an older publish (a fence against an instance that comes back late).
    /// </summary>
    public const string PublishGenerationSequence = "vpn_publish_generations";
}

internal sealed class VpnServerConfiguration : IEntityTypeConfiguration<VpnServer>
{
    public void Configure(EntityTypeBuilder<VpnServer> b)
    {
        b.ToTable("vpn_servers");
        b.Property(s => s.Name).HasMaxLength(64);
        b.HasIndex(s => s.Name).IsUnique();
        b.Property(s => s.ConfigDir).HasMaxLength(255);
        b.Property(s => s.RunMode).HasMaxLength(16);
        b.Property(s => s.ServiceName).HasMaxLength(128);
        b.Property(s => s.NetNamespace).HasMaxLength(32);
        b.Property(s => s.ManagementSocket).HasMaxLength(255);
        b.Property(s => s.RunAsUser).HasMaxLength(32);
        b.Property(s => s.RunAsGroup).HasMaxLength(32);
        b.Property(s => s.DeployedCrlNumber).HasMaxLength(64);
        b.Property(s => s.CrlStatus).HasMaxLength(32);
        b.Property(s => s.CrlError).HasMaxLength(1024);
        b.Property(s => s.CreatedBy).HasMaxLength(256);
        b.HasIndex(s => s.HostId);
        b.HasIndex(s => s.ProfileId);
        b.HasOne(s => s.Host).WithMany().HasForeignKey(s => s.HostId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(s => s.Profile).WithMany().HasForeignKey(s => s.ProfileId).OnDelete(DeleteBehavior.Restrict);
    }
}
