using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminPortal.Data.Hosts;

/// <summary>A server the portal acts on over SSH, with the host key an operator approved (TOFU with explicit approval).</summary>
public class ManagedHost
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string Address { get; set; }
    public int Port { get; set; } = 22;
    public required string User { get; set; }
    public Guid CredentialId { get; set; }
    public SshCredential? Credential { get; set; }
    public List<string> Groups { get; set; } = [];
    /// <summary>systemd units that service.status/service.restart may name on this host.</summary>
    public List<string> AllowedServices { get; set; } = [];
    /// <summary><c>SHA256:…</c> as <c>ssh-keygen -l</c> prints it; null until approved.</summary>
    public string? TrustedFingerprint { get; set; }
    public string? PresentedFingerprint { get; set; }
    public string? HostKeyAlgorithm { get; set; }
    /// <summary>Set when the host presented a key other than the trusted one; cleared by an explicit trust decision.</summary>
    public string? MismatchFingerprint { get; set; }
    public DateTimeOffset? MismatchAt { get; set; }
    public DateTimeOffset? LastContactAt { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class ManagedHostConfiguration : IEntityTypeConfiguration<ManagedHost>
{
    public void Configure(EntityTypeBuilder<ManagedHost> b)
    {
        b.ToTable("hosts");
        b.Property(h => h.Name).HasMaxLength(64);
        b.Property(h => h.Address).HasMaxLength(255);
        b.Property(h => h.User).HasMaxLength(32);
        b.Property(h => h.TrustedFingerprint).HasMaxLength(128);
        b.Property(h => h.PresentedFingerprint).HasMaxLength(128);
        b.Property(h => h.MismatchFingerprint).HasMaxLength(128);
        b.Property(h => h.HostKeyAlgorithm).HasMaxLength(64);
        b.Property(h => h.LastError).HasMaxLength(1024);
        b.HasIndex(h => h.Name).IsUnique();
        b.HasOne(h => h.Credential).WithMany().HasForeignKey(h => h.CredentialId).OnDelete(DeleteBehavior.Restrict);
    }
}
