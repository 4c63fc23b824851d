using AdminPortal.Data.Hosts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminPortal.Data.Mail;

/// <summary>A managed host that serves mail, and how its accounts are kept: a Dovecot passwd-file or Archiveopteryx's aox.</summary>
public class MailHost
{
    public Guid Id { get; set; }
    public Guid HostId { get; set; }
    public ManagedHost? Host { get; set; }
    /// <summary><see cref="MailBackends.DovecotPasswdFile"/> or <see cref="MailBackends.Archiveopteryx"/>.</summary>
    public required string Backend { get; set; }
    public string? PasswdFile { get; set; }
    public string? PasswordScheme { get; set; }
    /// <summary>Dovecot quota rule for mailboxes without a quota of their own (e.g. <c>*:storage=1G</c>).</summary>
    public string? QuotaRule { get; set; }
    public int? Uid { get; set; }
    public int? Gid { get; set; }
    /// <summary>Home directory with %d (domain), %n (local part) and %u (address).</summary>
    public string? HomeTemplate { get; set; }
    public string? AoxPath { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public static class MailBackends
{
    public const string DovecotPasswdFile = "dovecot-passwd-file";
    public const string Archiveopteryx = "archiveopteryx";
}

internal sealed class MailHostConfiguration : IEntityTypeConfiguration<MailHost>
{
    public void Configure(EntityTypeBuilder<MailHost> b)
    {
        b.ToTable("mail_hosts");
        b.Property(h => h.Backend).HasMaxLength(32);
        b.Property(h => h.PasswdFile).HasMaxLength(255);
        b.Property(h => h.PasswordScheme).HasMaxLength(32);
        b.Property(h => h.QuotaRule).HasMaxLength(128);
        b.Property(h => h.HomeTemplate).HasMaxLength(255);
        b.Property(h => h.AoxPath).HasMaxLength(255);
        b.HasIndex(h => h.HostId).IsUnique();
        b.HasOne(h => h.Host).WithMany().HasForeignKey(h => h.HostId).OnDelete(DeleteBehavior.Restrict);
    }
}
