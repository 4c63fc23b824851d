using System.Globalization;
using AdminPortal.Data.Jobs;

namespace AdminPortal.Web.Jobs;

/// <summary>
/// A job that runs once per period across every portal instance on the database: each instance wakes up
/// regularly and tries to claim the period in <c>job_runs</c>; only the winner runs it.
/// </summary>
public abstract class ScheduledJob(JobLeases leases, TimeProvider time, ILogger logger) : BackgroundService
{
    protected TimeProvider Clock => time;
    protected abstract string Name { get; }
    protected abstract TimeSpan Period { get; }
    // A tenth of the period, between 5 s and 60 s (a third of a period shorter than 15 s): a run starts at most that late.
    protected virtual TimeSpan PollInterval =>
        TimeSpan.FromSeconds(Math.Clamp(Period.TotalSeconds / 10, Math.Min(5, Period.TotalSeconds / 3), 60));

    protected abstract Task RunOnceAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval, time);
        do
        {
            try
            {
                if (await leases.TryClaimAsync(Name, Period, stoppingToken) is { } at)
                {
                    // Debug: one line per run and job; the two-instance test turns it on to count the runs.
                    logger.JobClaimed(Name, at.ToString("O", CultureInfo.InvariantCulture), JobLeases.InstanceId);
                    await RunOnceAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.JobFailed(ex, Name);
                try { await leases.RecordErrorAsync(Name, ex.Message, stoppingToken); }
                catch (Exception inner) { logger.FailureNotRecorded(inner, Name); }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

internal static partial class ScheduledJobLog
{
    [LoggerMessage(LogLevel.Debug, "Scheduled job {Job} claimed at {ClaimedAt} by {Instance}")]
    public static partial void JobClaimed(this ILogger logger, string job, string claimedAt, string instance);

    [LoggerMessage(LogLevel.Error, "Scheduled job {Job} failed")]
    public static partial void JobFailed(this ILogger logger, Exception exception, string job);

    [LoggerMessage(LogLevel.Warning, "Could not record the failure of {Job}")]
    public static partial void FailureNotRecorded(this ILogger logger, Exception exception, string job);
}
