using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminPortal.Data.Email;

public static class OutboxStatus
{
    public const string Pending = "pending";
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Failed = "failed";

    public static readonly string[] All = [Pending, Sending, Sent, Failed];
}

/// <summary>
/// An email waiting in (or gone through) the durable outbox. A sender claims it with a lease (status
/// <c>sending</c> until <see cref="LeaseUntil"/>), so one instance sends it and a crashed sender's claim expires.
/// </summary>
public class OutboxMessage
{
    public Guid Id { get; set; }
    public required string To { get; set; }
    public required string Subject { get; set; }
    public required string TextBody { get; set; }
    public string? HtmlBody { get; set; }
    /// <summary>What the message is (<c>download-link</c>, <c>test</c>…).</summary>
    public required string Kind { get; set; }
    /// <summary>What it is about, as the audit trail names it (<c>vpn-user:NAME</c>).</summary>
    public string? Target { get; set; }
    public string? CertificateSerial { get; set; }
    public string Status { get; set; } = OutboxStatus.Pending;
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public Guid? LeaseId { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    /// <summary>The SMTP status and text, or the connection fault, of the last failed attempt (never a secret).</summary>
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    /// <summary>Set by notifications (<c>expiry:SERIAL:7:ADDRESS</c>): unique, so a notice is queued at most once.</summary>
    public string? DedupeKey { get; set; }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> b)
    {
        b.ToTable("email_outbox");
        b.Property(m => m.To).HasMaxLength(254);
        b.Property(m => m.Subject).HasMaxLength(400);
        b.Property(m => m.Kind).HasMaxLength(64);
        b.Property(m => m.Target).HasMaxLength(200);
        b.Property(m => m.CertificateSerial).HasMaxLength(64);
        b.Property(m => m.Status).HasMaxLength(16);
        b.Property(m => m.LastError).HasMaxLength(1000);
        b.Property(m => m.CreatedBy).HasMaxLength(200);
        b.HasIndex(m => new { m.Status, m.NextAttemptAt });
        b.HasIndex(m => m.CreatedAt);
        b.Property(m => m.DedupeKey).HasMaxLength(400);
        b.HasIndex(m => m.DedupeKey).IsUnique();
    }
}
