using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminPortal.Data.Hosts;

/// <summary>An SSH key pair the portal logs in with; the private key is encrypted under the master key (purpose <c>credential:ID</c>).</summary>
public class SshCredential
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    /// <summary>authorized_keys format: <c>ssh-ed25519 AAAA… comment</c>.</summary>
    public required string PublicKey { get; set; }
    public required string KeyType { get; set; }
    public bool Imported { get; set; }
    public required byte[] EncryptedPrivateKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }

    public static string Purpose(Guid id) => $"credential:{id}";
}

internal sealed class SshCredentialConfiguration : IEntityTypeConfiguration<SshCredential>
{
    public void Configure(EntityTypeBuilder<SshCredential> b)
    {
        b.ToTable("ssh_credentials");
        b.Property(c => c.Name).HasMaxLength(64);
        b.Property(c => c.PublicKey).HasMaxLength(16384);
        b.Property(c => c.KeyType).HasMaxLength(64);
        b.Property(c => c.CreatedBy).HasMaxLength(256);
        b.HasIndex(c => c.Name).IsUnique();
    }
}
