using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminPortal.Data.Jobs;

/// <summary>When a scheduled job last ran; claimed atomically so a job runs once per period across instances.</summary>
public class JobRun
{
    public required string Name { get; set; }
    public DateTimeOffset LastRunAt { get; set; }
    public string? LastInstance { get; set; }
    public string? LastError { get; set; }
}

internal sealed class JobRunConfiguration : IEntityTypeConfiguration<JobRun>
{
    public void Configure(EntityTypeBuilder<JobRun> b)
    {
        b.ToTable("job_runs");
        b.HasKey(j => j.Name);
        b.Property(j => j.Name).HasMaxLength(64);
        b.Property(j => j.LastInstance).HasMaxLength(128);
    }
}
