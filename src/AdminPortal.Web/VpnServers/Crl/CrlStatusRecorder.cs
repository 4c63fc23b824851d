using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Notifications;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.VpnServers.Crl;

/// <summary>
/// Records what a push or a check found on a server's row, with its audit event in the same transaction. When a server
/// enters an alert (ok or unknown before, stale / expiring / unreadable / push-failed now) the Admins get one email (the
/// editable crl-stale notification) through the outbox, queued in that transaction too; further checks in the same episode send nothing until the server was ok again.
/// </summary>
public sealed class CrlStatusRecorder(AuditedWork work, IDbContextFactory<PortalDbContext> dbs, NotificationService notifications, TimeProvider time)
{
    public Task RecordPushAsync(Guid serverId, CrlVerdict verdict, object details, AuditActor actor, CancellationToken ct) =>
        RecordAsync(serverId, verdict, pushed: true, details, actor, ct);

    /// <summary>A monitor check: audited when the state, the deployed numbers or the problem changed, else only the check time is noted.</summary>
    public async Task RecordCheckAsync(Guid serverId, CrlVerdict verdict, CancellationToken ct)
    {
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            var now = time.GetUtcNow();
            var unchanged = await db.VpnServers.Where(s => s.Id == serverId && s.CrlStatus == verdict.State && s.CrlError == Trim(verdict.Problem)
                    && s.DeployedCrlNumber == verdict.DeployedNumbers && s.DeployedCrlNextUpdate == verdict.DeployedNextUpdate)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.CrlCheckedAt, now), ct);
            if (unchanged > 0) return;
        }
        await RecordAsync(serverId, verdict, pushed: false, new { }, AuditActor.System, ct);
    }

    private Task<bool> RecordAsync(Guid serverId, CrlVerdict verdict, bool pushed, object details, AuditActor actor, CancellationToken ct) =>
        work.RunAsync<bool>(async (_, db, c) =>
        {
            var rows = await db.VpnServers.FromSql($"""SELECT * FROM vpn_servers WHERE "Id" = {serverId} FOR UPDATE""").ToListAsync(c);
            if (rows is not [var server]) return (false, null); // deleted meanwhile
            var wasAlert = CrlState.IsAlert(server.CrlStatus);
            var now = time.GetUtcNow();
            server.CrlStatus = verdict.State;
            server.CrlError = Trim(verdict.Problem);
            server.CrlCheckedAt = now;
            if (verdict.DeployedNumbers is not null || verdict.State == CrlState.Unreadable)
                (server.DeployedCrlNumber, server.DeployedCrlNextUpdate) = (verdict.DeployedNumbers, verdict.DeployedNextUpdate);
            if (pushed && verdict.State != CrlState.PushFailed) server.CrlPushedAt = now;
            var emailed = verdict.IsAlert && !wasAlert
                ? (await notifications.QueueCrlStaleAsync(db, server.Name, verdict.State, verdict.Problem, verdict.DeployedNumbers, verdict.DeployedNextUpdate, now, c)).Count
                : 0;
            var action = pushed ? verdict.State == CrlState.PushFailed ? "vpn.server.crl.push-failed" : "vpn.server.crl.pushed" : "vpn.server.crl.checked";
            return (true, new AuditEntry(actor, action, $"vpn-server:{server.Name}", new
            {
                state = verdict.State, problem = server.CrlError, crlNumbers = verdict.DeployedNumbers, nextUpdate = verdict.DeployedNextUpdate,
                alertEmails = emailed, details,
            }, verdict.IsAlert ? AuditOutcome.Failure : AuditOutcome.Success));
        }, ct);

    private static string? Trim(string? s) => s is { Length: > 1024 } ? s[..1024] : s;
}
