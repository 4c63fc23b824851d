using System.Globalization;
using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Jobs;
using AdminPortal.Data.Pki;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Notifications;

/// <summary>
/// Expiry notices for VPN users' active certificates, 30, 7 and 1 days before they expire, to the user and to the
/// Admins. The rule: a certificate gets the notice of the smallest window it is in now (at most 1 day left: the 1-day
/// notice; at most 7: the 7-day one; at most 30: the 30-day one), each once. A portal that was down on the day sends,
/// on its next run, the notice for the window the certificate is in then, never the missed larger ones afterwards.
/// </summary>
public sealed class ExpiryNotices(AuditedWork work, NotificationService notifications, IDbContextFactory<PortalDbContext> dbs, TimeProvider time)
{
    public static readonly int[] Windows = [1, 7, 30];

    /// <summary>The window (1, 7 or 30 days) a certificate with <paramref name="left"/> to live is in, or null.</summary>
    public static int? WindowFor(TimeSpan left) => left <= TimeSpan.Zero ? null : Windows.Cast<int?>().FirstOrDefault(w => left <= TimeSpan.FromDays(w!.Value));

    /// <summary>"1 day", "7 days": whole days, rounded up.</summary>
    public static string DaysLeft(TimeSpan left) =>
        Math.Ceiling(left.TotalDays) is var d && d == 1 ? "1 day" : $"{d.ToString(CultureInfo.InvariantCulture)} days";

    /// <summary>Queues every notice due now that was not queued before; returns how many messages were queued.</summary>
    public async Task<int> QueueDueAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var horizon = now.AddDays(Windows[^1]);
        List<(string Serial, DateTimeOffset NotAfter, string User, string? Email)> due;
        await using (var db = await dbs.CreateDbContextAsync(ct))
            due = (await db.Certificates.AsNoTracking()
                    .Where(c => c.Status == CertificateStatus.Active && c.VpnUserId != null && c.NotAfter > now && c.NotAfter <= horizon)
                    .OrderBy(c => c.NotAfter)
                    .Select(c => new { c.Serial, c.NotAfter, c.VpnUser!.Name, c.VpnUser.Email }).ToListAsync(ct))
                .Select(c => (c.Serial, c.NotAfter, c.Name, c.Email)).ToList();
        var total = 0;
        foreach (var cert in due)
        {
            if (WindowFor(cert.NotAfter - now) is not { } window) continue;
            total += await work.RunAsync<int>(async (_, db, c) =>
            {
                var values = new Dictionary<string, string>
                {
                    ["user"] = cert.User, ["serial"] = cert.Serial, ["expiresAt"] = NotificationService.When(cert.NotAfter),
                    ["daysLeft"] = DaysLeft(cert.NotAfter - now),
                };
                var about = new NotificationAbout($"vpn-user:{cert.User}", cert.Serial);
                var toUser = await notifications.QueueAsync(db, NotificationKinds.ExpiryUser, cert.Email is null ? [] : [cert.Email], values,
                    $"expiry:{cert.Serial}:{window}", about, c);
                var admins = await notifications.AdminRecipientsAsync(db, c);
                var toAdmins = await notifications.QueueAsync(db, NotificationKinds.ExpiryAdmin, admins, values, $"expiry-admin:{cert.Serial}:{window}", about, c);
                if (toUser.Count + toAdmins.Count == 0) return (0, null);
                return (toUser.Count + toAdmins.Count, new AuditEntry(AuditActor.System, "notification.expiry.queued", $"vpn-user:{cert.User}",
                    new { serial = cert.Serial, window, notAfter = cert.NotAfter, toUser = toUser.Count, toAdmins = toAdmins.Count }));
            }, ct);
        }
        return total;
    }
}

/// <summary>Runs <see cref="ExpiryNotices"/> once per <c>Notifications:ExpiryCheckPeriod</c> across instances.</summary>
public sealed class ExpiryNoticeJob(ExpiryNotices notices, JobLeases leases, IOptions<NotificationOptions> options, TimeProvider time, ILogger<ExpiryNoticeJob> logger)
    : ScheduledJob(leases, time, logger)
{
    protected override string Name => "notifications.expiry";
    protected override TimeSpan Period => options.Value.ExpiryCheckPeriod;

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        var queued = await notices.QueueDueAsync(ct);
        if (queued > 0) logger.NoticesQueued(queued);
    }
}

internal static partial class ExpiryNoticeJobLog
{
    [LoggerMessage(LogLevel.Information, "Queued {Count} certificate expiry notices")]
    public static partial void NoticesQueued(this ILogger logger, int count);
}
