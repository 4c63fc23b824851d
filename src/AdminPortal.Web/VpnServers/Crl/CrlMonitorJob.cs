using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Jobs;
using AdminPortal.Data.VpnServers;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Jobs;
using AdminPortal.Web.Pki;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.VpnServers.Crl;

/// <summary>
/// Reads every VPN server's deployed crl.pem over SSH (once per <see cref="VpnCrlOptions.CrlMonitorPeriod"/> across instances),
/// judges it against the CAs' current CRLs and records the verdict (alerts: dashboard, server page, one email per episode).
/// A stale or unreadable file is pushed again at once; a current CRL near its nextUpdate gets the CA's CRL regenerated
/// (and so distributed): "the refresh fixes it".
/// </summary>
public sealed class CrlMonitorJob(IDbContextFactory<PortalDbContext> dbs, RemoteFiles files, CrlStatusRecorder recorder, CrlDistributor distributor,
    AuditedWork work, CrlService crls, CrlChanges changes, IOptions<VpnCrlOptions> options, JobLeases leases, TimeProvider time,
    ILogger<CrlMonitorJob> logger) : ScheduledJob(leases, time, logger)
{
    protected override string Name => "vpnservers.crl.monitor";
    protected override TimeSpan Period => options.Value.CrlMonitorPeriod;

    protected override Task RunOnceAsync(CancellationToken ct) => CheckAllAsync(ct);

    /// <summary>One round over every server; returns each server's verdict before any repair.</summary>
    public async Task<IReadOnlyDictionary<string, CrlVerdict>> CheckAllAsync(CancellationToken ct)
    {
        var current = await CurrentCrl.LoadAsync(dbs, ct);
        if (current is null) return new Dictionary<string, CrlVerdict>();
        List<VpnServer> servers;
        await using (var db = await dbs.CreateDbContextAsync(ct))
            servers = await db.VpnServers.AsNoTracking().Include(s => s.Host).OrderBy(s => s.Name).ToListAsync(ct);
        var verdicts = await Task.WhenAll(servers.Select(s => Task.Run(() => CheckAsync(s, current, ct), CancellationToken.None)));
        var byServer = servers.Zip(verdicts).ToDictionary(p => p.First.Name, p => p.Second);

        var repush = byServer.Where(v => v.Value.State is CrlState.Stale or CrlState.Unreadable).Select(v => v.Key).ToList();
        foreach (var name in repush)
            await distributor.DistributeAsync("monitor: the deployed CRL was " + byServer[name].State, [], name, AuditActor.System, ct);
        if (byServer.Values.Any(v => v.State == CrlState.Expiring)) await RefreshExpiringAsync(ct);
        return byServer;
    }

    private async Task<CrlVerdict> CheckAsync(VpnServer server, CurrentCrl current, CancellationToken ct)
    {
        CrlVerdict verdict;
        if (VpnManagement.Target(server.Host!) is not { } target)
            verdict = new CrlVerdict(CrlState.Unreadable, $"host {server.Host!.Name} is not trusted: approve its key first", null, null);
        else
        {
            var read = await files.ReadAsync(target, CrlDistributor.CrlPath(server), ct);
            verdict = CrlFreshness.Judge(read.Ok ? read.Output : null, $"reading {CrlDistributor.CrlPath(server)} failed: {read.Problem}",
                current.Facts, Clock.GetUtcNow(), options.Value.CrlAlertThreshold);
        }
        await recorder.RecordCheckAsync(server.Id, verdict, ct);
        return verdict;
    }

    /// <summary>Regenerates each CA's CRL that is itself within the threshold of its nextUpdate (audited like the scheduled refresh).</summary>
    private async Task RefreshExpiringAsync(CancellationToken ct)
    {
        List<Guid> ids;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            var threshold = options.Value.CrlAlertThreshold;
            var limit = Clock.GetUtcNow() + threshold;
            // A CRL whose whole lifetime is shorter than the threshold would be regenerated at every round: left alone (the
            // alert stays, telling that Pki:CrlLifetimeDays and VpnServers:CrlAlertThreshold do not fit).
            ids = (await db.CertificateAuthorities.AsNoTracking().Select(c => new { c.Id, c.CrlThisUpdate, c.CrlNextUpdate }).ToListAsync(ct))
                .Where(c => c.CrlNextUpdate <= limit && c.CrlNextUpdate - c.CrlThisUpdate > threshold).Select(c => c.Id).ToList();
        }
        foreach (var id in ids)
            await work.RunAsync<bool>(async (_, db, c) =>
            {
                var ca = await db.CertificateAuthorities.SingleAsync(x => x.Id == id, c);
                var info = await crls.RegenerateAsync(db, ca, c);
                return (true, new AuditEntry(AuditActor.System, "pki.crl.refreshed", $"ca:{ca.Name}",
                    new { crlNumber = info.Number, nextUpdate = info.NextUpdate, reason = "a VPN server's CRL was near its nextUpdate" }));
            }, ct);
        if (ids.Count > 0) changes.Committed(new CrlChange("refresh of a CRL near its nextUpdate"));
    }
}
