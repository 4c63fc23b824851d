using System.Runtime.ExceptionServices;
using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Jobs;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Pki;

/// <summary>
/// Keeps the CRLs from ever running out: every few minutes (<c>Pki:CrlRefreshPeriod</c>, once per period across instances) each CA's CRL
/// (the root's, and the intermediate's when there is one) past half its lifetime is regenerated with that CA's
/// next cRLNumber. A failure is recorded on the CA it concerns, for its page; the other CAs are still refreshed.
/// </summary>
public sealed class CrlRefreshJob(AuditedWork work, CrlService crls, CrlChanges changes, IDbContextFactory<PortalDbContext> dbs,
    IOptions<PkiOptions> options, JobLeases leases, TimeProvider time, ILogger<CrlRefreshJob> logger)
    : ScheduledJob(leases, time, logger)
{
    protected override string Name => "pki.crl.refresh";
    protected override TimeSpan Period => options.Value.CrlRefreshPeriod;

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        List<Guid> ids;
        await using (var db = await dbs.CreateDbContextAsync(ct)) ids = await db.CertificateAuthorities.Select(c => c.Id).ToListAsync(ct);
        ExceptionDispatchInfo? failure = null;
        foreach (var id in ids)
        {
            try
            {
                await RefreshAsync(id, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await using var db = await dbs.CreateDbContextAsync(ct);
                await db.CertificateAuthorities.Where(c => c.Id == id)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.CrlLastError, $"{Clock.GetUtcNow():u}: {e.Message}"), ct);
                failure ??= ExceptionDispatchInfo.Capture(e);
            }
        }
        failure?.Throw();
    }

    private async Task RefreshAsync(Guid id, CancellationToken ct)
    {
        var refreshed = await work.RunAsync<CrlInfo?>(async (_, db, c) =>
        {
            var ca = await db.CertificateAuthorities.FirstOrDefaultAsync(x => x.Id == id, c);
            if (ca?.CrlThisUpdate is not { } thisUpdate || ca.CrlNextUpdate is not { } nextUpdate) return (null, null);
            if (Clock.GetUtcNow() < thisUpdate + (nextUpdate - thisUpdate) / 2) return (null, null);
            var info = await crls.RegenerateAsync(db, ca, c);
            return (info, new AuditEntry(AuditActor.System, "pki.crl.refreshed", $"ca:{ca.Name}", new { crlNumber = info.Number, nextUpdate = info.NextUpdate }));
        }, ct);
        if (refreshed is null) return;
        changes.Committed(new CrlChange("scheduled refresh"));
        logger.CrlRefreshed(id, refreshed.Number, refreshed.NextUpdate);
    }
}

internal static partial class CrlRefreshJobLog
{
    [LoggerMessage(LogLevel.Information, "Refreshed the CRL of CA {Ca}: number {Number}, next update {NextUpdate}")]
    public static partial void CrlRefreshed(this ILogger logger, Guid ca, long number, DateTimeOffset? nextUpdate);
}
