using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminPortal.Data.Onboarding;

public static class OnboardingStatus
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Done = "done";
    public const string Failed = "failed";
}

public static class OnboardingStepKind
{
    public const string Certificate = "certificate";
    public const string Mailbox = "mailbox";
    public const string ShellAccount = "shell-account";
    public const string LinkEmail = "link-email";
}

/// <summary>One person onboarded in one go: what was asked (no secret), and its ordered steps.</summary>
public class OnboardingRun
{
    public Guid Id { get; set; }
    public required string UserName { get; set; }
    public string? Email { get; set; }
    public string? DisplayName { get; set; }
    public string? KeyAlgorithm { get; set; }
    public string? Profile { get; set; }
    public string? Platform { get; set; }
    public string? MailHost { get; set; }
    public string? MailAddress { get; set; }
    public string? UnixUser { get; set; }
    public string? PublicKey { get; set; }
    public string Status { get; set; } = OnboardingStatus.Pending;
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public List<OnboardingStep> Steps { get; set; } = [];
}

/// <summary>
/// One step of a run. <see cref="Reference"/> names what the step made (certificate serial, action run id, download
/// link id), so that a retry can tell it is done and never makes it twice.
/// </summary>
public class OnboardingStep
{
    public Guid Id { get; set; }
    public Guid RunId { get; set; }
    public int Order { get; set; }
    public required string Kind { get; set; }
    public string? Host { get; set; }
    public string Status { get; set; } = OnboardingStatus.Pending;
    public string? Result { get; set; }
    public string? Reference { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}

internal sealed class OnboardingRunConfiguration : IEntityTypeConfiguration<OnboardingRun>
{
    public void Configure(EntityTypeBuilder<OnboardingRun> b)
    {
        b.ToTable("onboarding_runs");
        b.Property(r => r.UserName).HasMaxLength(64);
        b.Property(r => r.Email).HasMaxLength(254);
        b.Property(r => r.DisplayName).HasMaxLength(200);
        b.Property(r => r.KeyAlgorithm).HasMaxLength(16);
        b.Property(r => r.Profile).HasMaxLength(64);
        b.Property(r => r.Platform).HasMaxLength(16);
        b.Property(r => r.MailHost).HasMaxLength(64);
        b.Property(r => r.MailAddress).HasMaxLength(254);
        b.Property(r => r.UnixUser).HasMaxLength(32);
        b.Property(r => r.PublicKey).HasMaxLength(8192);
        b.Property(r => r.Status).HasMaxLength(16);
        b.Property(r => r.CreatedBy).HasMaxLength(256);
        b.HasIndex(r => r.CreatedAt);
        b.HasMany(r => r.Steps).WithOne().HasForeignKey(s => s.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class OnboardingStepConfiguration : IEntityTypeConfiguration<OnboardingStep>
{
    public void Configure(EntityTypeBuilder<OnboardingStep> b)
    {
        b.ToTable("onboarding_steps");
        b.Property(s => s.Kind).HasMaxLength(32);
        b.Property(s => s.Host).HasMaxLength(64);
        b.Property(s => s.Status).HasMaxLength(16);
        b.Property(s => s.Result).HasMaxLength(2048);
        b.Property(s => s.Reference).HasMaxLength(128);
        b.HasIndex(s => new { s.RunId, s.Order }).IsUnique();
    }
}
