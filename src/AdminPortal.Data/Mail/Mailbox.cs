using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminPortal.Data.Mail;

/// <summary>A mailbox account the portal created on a mail host. The password is never stored.</summary>
public class Mailbox
{
    public Guid Id { get; set; }
    public Guid MailHostId { get; set; }
    public MailHost? MailHost { get; set; }
    /// <summary>local@domain, lower case; unique across the portal (the API names a mailbox by its address).</summary>
    public required string Address { get; set; }
    public string? DisplayName { get; set; }
    public int? QuotaMb { get; set; }
    public bool Disabled { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? PasswordChangedAt { get; set; }
}

internal sealed class MailboxConfiguration : IEntityTypeConfiguration<Mailbox>
{
    public void Configure(EntityTypeBuilder<Mailbox> b)
    {
        b.ToTable("mailboxes");
        b.Property(m => m.Address).HasMaxLength(254);
        b.Property(m => m.DisplayName).HasMaxLength(100);
        b.HasIndex(m => m.Address).IsUnique();
        b.HasIndex(m => m.MailHostId);
        b.HasOne(m => m.MailHost).WithMany().HasForeignKey(m => m.MailHostId).OnDelete(DeleteBehavior.Cascade);
    }
}
