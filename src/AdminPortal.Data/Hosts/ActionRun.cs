using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminPortal.Data.Hosts;

public static class RunStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Error = "error";
    public const string Refused = "refused";
    public const string TimedOut = "timeout";
    public const string Cancelled = "cancelled";
    /// <summary>The instance running it stopped (killed, crashed) before it finished: see RunLeases.</summary>
    public const string Interrupted = "interrupted";

    public static bool IsFinal(string s) => s is not (Queued or Running);
}

/// <summary>One action started on one or more hosts; its parameters are stored with secrets redacted.</summary>
public class ActionRun
{
    public Guid Id { get; set; }
    public required string Action { get; set; }
    public required string ParametersJson { get; set; }
    public string? TargetGroup { get; set; }
    public string Status { get; set; } = RunStatus.Queued;
    public required string RequestedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    /// <summary>The portal instance executing the run, and when it last said it still is (null for runs made before leases).</summary>
    public string? Owner { get; set; }
    public DateTimeOffset? HeartbeatAt { get; set; }
    public List<RunHostResult> Hosts { get; set; } = [];
}

/// <summary>A run's outcome on one host: the first 1 MiB of output is kept, the rest only counted and hashed.</summary>
public class RunHostResult
{
    public Guid Id { get; set; }
    public Guid RunId { get; set; }
    public required string HostName { get; set; }
    public string Status { get; set; } = RunStatus.Queued;
    public int? ExitCode { get; set; }
    public string? Message { get; set; }
    public string Output { get; set; } = "";
    public long OutputBytes { get; set; }
    public bool Truncated { get; set; }
    public string? OutputSha256 { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}

internal sealed class ActionRunConfiguration : IEntityTypeConfiguration<ActionRun>
{
    public void Configure(EntityTypeBuilder<ActionRun> b)
    {
        b.ToTable("action_runs");
        b.Property(r => r.Action).HasMaxLength(64);
        b.Property(r => r.TargetGroup).HasMaxLength(64);
        b.Property(r => r.Status).HasMaxLength(16);
        b.Property(r => r.RequestedBy).HasMaxLength(256);
        b.Property(r => r.Owner).HasMaxLength(128);
        b.Property(r => r.ParametersJson).HasColumnType("jsonb");
        b.HasIndex(r => r.CreatedAt);
        b.HasMany(r => r.Hosts).WithOne().HasForeignKey(h => h.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RunHostResultConfiguration : IEntityTypeConfiguration<RunHostResult>
{
    public void Configure(EntityTypeBuilder<RunHostResult> b)
    {
        b.ToTable("run_host_results");
        b.Property(r => r.HostName).HasMaxLength(64);
        b.Property(r => r.Status).HasMaxLength(16);
        b.Property(r => r.Message).HasMaxLength(2048);
        b.Property(r => r.OutputSha256).HasMaxLength(64);
        b.HasIndex(r => new { r.RunId, r.HostName }).IsUnique();
        b.HasIndex(r => r.HostName);
    }
}
