using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminPortal.Data.Operators;

/// <summary>
/// A one-time link with which an invited operator (or the first Admin) sets a password and enrols TOTP.
/// Only the SHA-256 of the token is stored.
/// </summary>
public class SetupLink
{
    public Guid Id { get; set; }
    public required byte[] TokenHash { get; set; }
    public required string Email { get; set; }
    public required string Role { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
    public required string CreatedBy { get; set; }
}

internal sealed class SetupLinkConfiguration : IEntityTypeConfiguration<SetupLink>
{
    public void Configure(EntityTypeBuilder<SetupLink> b)
    {
        b.ToTable("setup_links");
        b.Property(t => t.Email).HasMaxLength(256);
        b.Property(t => t.Role).HasMaxLength(32);
        b.Property(t => t.CreatedBy).HasMaxLength(256);
        b.HasIndex(t => t.TokenHash).IsUnique();
    }
}
