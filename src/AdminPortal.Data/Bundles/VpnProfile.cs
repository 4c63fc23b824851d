using AdminPortal.Data.Pki;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminPortal.Data.Bundles;

/// <summary>What a client connects to: the server's address, transport, ciphers, control-channel key and pushed settings.</summary>
public class VpnProfile
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string[] RemoteHosts { get; set; }
    public int Port { get; set; }
    /// <summary><c>udp</c> or <c>tcp</c>.</summary>
    public required string Protocol { get; set; }
    public required string DataCiphers { get; set; }
    /// <summary>The address pool the server hands out, CIDR (e.g. 10.8.0.0/24).</summary>
    public required string ServerNetwork { get; set; }
    public string[] PushRoutes { get; set; } = [];
    public string[] PushDns { get; set; } = [];
    /// <summary>Allow-listed extra client directives, one per line.</summary>
    public string[] ClientDirectives { get; set; } = [];
    /// <summary>How the control channel is protected: <see cref="ControlChannels.TlsCrypt"/> (one key shared by the profile's clients) or
    /// <see cref="ControlChannels.TlsCryptV2"/> (a server key; every client profile carries its own client key wrapped by it).</summary>
    public string ControlChannel { get; set; } = ControlChannels.TlsCrypt;
    /// <summary>
    /// The control-channel key, AES-GCM under the master key with purpose <c>tls-crypt:ID</c>: the tls-crypt key (OpenVPN static key V1
    /// text), or for a tls-crypt-v2 profile the tls-crypt-v2 server key (PEM text). Client keys of tls-crypt-v2 are never stored.
    /// </summary>
    public required byte[] EncryptedTlsCryptKey { get; set; }
    public Guid ServerCertificateId { get; set; }
    public IssuedCertificate? ServerCertificate { get; set; }
    /// <summary>Bumped when the server certificate and tls-crypt key are replaced (a compromised server); caches of the profile check it.</summary>
    public int MaterialVersion { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
}

/// <summary>The control-channel modes of a profile, as the API and the database spell them.</summary>
public static class ControlChannels
{
    public const string TlsCrypt = "tls-crypt";
    public const string TlsCryptV2 = "tls-crypt-v2";
    public static readonly string[] All = [TlsCrypt, TlsCryptV2];
}

internal sealed class VpnProfileConfiguration : IEntityTypeConfiguration<VpnProfile>
{
    public void Configure(EntityTypeBuilder<VpnProfile> b)
    {
        b.ToTable("vpn_profiles");
        b.Property(p => p.Name).HasMaxLength(64);
        b.HasIndex(p => p.Name).IsUnique();
        b.Property(p => p.Protocol).HasMaxLength(8);
        b.Property(p => p.ControlChannel).HasMaxLength(16);
        b.Property(p => p.DataCiphers).HasMaxLength(128);
        b.Property(p => p.ServerNetwork).HasMaxLength(43);
        b.Property(p => p.CreatedBy).HasMaxLength(256);
        b.HasOne(p => p.ServerCertificate).WithMany().HasForeignKey(p => p.ServerCertificateId).OnDelete(DeleteBehavior.Restrict);
    }
}
