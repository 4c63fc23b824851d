using AdminPortal.Data.Audit;
using AdminPortal.Data.Jobs;
using AdminPortal.Web.Hosting;
using AdminPortal.Web.Jobs;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Audit;

/// <summary>Signs an audit checkpoint once per <c>Audit:CheckpointInterval</c> across all instances.</summary>
public sealed class CheckpointJob(AuditIntegrity integrity, IOptions<AuditOptions> options, JobLeases leases, TimeProvider time, ILogger<CheckpointJob> logger)
    : ScheduledJob(leases, time, logger)
{
    protected override string Name => "audit.checkpoint";
    protected override TimeSpan Period => options.Value.CheckpointInterval;

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        var cp = await integrity.CheckpointAsync(AuditActor.System, ct);
        logger.CheckpointSigned(cp.Sequence);
    }
}

internal static partial class CheckpointJobLog
{
    [LoggerMessage(LogLevel.Information, "Signed audit checkpoint at sequence {Sequence}")]
    public static partial void CheckpointSigned(this ILogger logger, long sequence);
}
