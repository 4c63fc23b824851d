using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminPortal.Data.Email;

/// <summary>The one SMTP configuration (row id 1). The password is stored only encrypted under the master key.</summary>
public class SmtpSettingsRow
{
    public const int SingletonId = 1;
    /// <summary>The purpose the password ciphertext is bound to.</summary>
    public const string PasswordPurpose = "smtp:password";

    public int Id { get; set; } = SingletonId;
    public required string Host { get; set; }
    public int Port { get; set; }
    /// <summary><c>none</c>, <c>starttls</c> or <c>tls</c>.</summary>
    public required string Security { get; set; }
    public string? UserName { get; set; }
    public byte[]? EncryptedPassword { get; set; }
    public required string FromAddress { get; set; }
    public string? HelpdeskContact { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}

internal sealed class SmtpSettingsRowConfiguration : IEntityTypeConfiguration<SmtpSettingsRow>
{
    public void Configure(EntityTypeBuilder<SmtpSettingsRow> b)
    {
        b.ToTable("smtp_settings");
        b.Property(s => s.Id).ValueGeneratedNever();
        b.Property(s => s.Host).HasMaxLength(253);
        b.Property(s => s.Security).HasMaxLength(16);
        b.Property(s => s.UserName).HasMaxLength(256);
        b.Property(s => s.FromAddress).HasMaxLength(254);
        b.Property(s => s.HelpdeskContact).HasMaxLength(500);
        b.Property(s => s.UpdatedBy).HasMaxLength(200);
    }
}
