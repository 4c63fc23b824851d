using AdminPortal.Data.Audit;
using AdminPortal.Web.Pki;

namespace AdminPortal.Web.VpnServers.Crl;

/// <summary>
/// Runs a distribution after each committed CRL change (<see cref="CrlChanges"/>: revocation, renewal, scheduled refresh).
/// Changes that arrive while one runs are taken together in the next: the newest CRL holds them all, and each revoked
/// user's sessions are still ended.
/// </summary>
public sealed class CrlDistribution(CrlChanges changes, CrlDistributor distributor, ILogger<CrlDistribution> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = changes.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                var causes = new List<string>();
                var users = new HashSet<string>(StringComparer.Ordinal);
                while (reader.TryRead(out var change))
                {
                    causes.Add(change.RevokedUser is null ? change.Cause : $"{change.Cause} of {change.RevokedUser}");
                    if (change.RevokedUser is not null) users.Add(change.RevokedUser);
                }
                try
                {
                    await distributor.DistributeAsync(string.Join("; ", causes.Distinct()), users, null, AuditActor.System, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The monitor finds and fixes what this left stale.
                    logger.DistributionFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

internal static partial class CrlDistributionLog
{
    [LoggerMessage(LogLevel.Error, "Distributing the CRL failed")]
    public static partial void DistributionFailed(this ILogger logger, Exception exception);
}
