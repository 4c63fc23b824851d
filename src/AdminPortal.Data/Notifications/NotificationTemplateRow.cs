using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminPortal.Data.Notifications;

/// <summary>An Admin's version of a notification template; a kind without a row uses the default written in code.</summary>
public class NotificationTemplateRow
{
    public required string Kind { get; set; }
    public required string Subject { get; set; }
    public required string TextBody { get; set; }
    public string? HtmlBody { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}

internal sealed class NotificationTemplateRowConfiguration : IEntityTypeConfiguration<NotificationTemplateRow>
{
    public void Configure(EntityTypeBuilder<NotificationTemplateRow> b)
    {
        b.ToTable("notification_templates");
        b.HasKey(t => t.Kind);
        b.Property(t => t.Kind).HasMaxLength(64);
        b.Property(t => t.Subject).HasMaxLength(400);
        b.Property(t => t.UpdatedBy).HasMaxLength(256);
    }
}
