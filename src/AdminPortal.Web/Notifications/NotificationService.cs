using System.Globalization;
using AdminPortal.Data;
using AdminPortal.Data.Email;
using AdminPortal.Web.Bundles;
using AdminPortal.Web.Email;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Notifications;

/// <summary>What a notification is about, as the outbox and the audit trail of its sending name it.</summary>
public sealed record NotificationAbout(string? Target, string? CertificateSerial = null, string? CreatedBy = null);

/// <summary>
/// Queues notifications into the durable outbox, in the caller's transaction (pass the DbContext of its
/// <c>AuditedWork</c>): the email exists exactly when the change does. Each message carries a dedupe key
/// (<c>KEY:recipient</c>) with a unique index and is inserted with ON CONFLICT DO NOTHING, so the same notice is never
/// queued twice, however many instances or retries try (and a conflict never aborts the caller's transaction).
/// </summary>
public sealed class NotificationService(HelpdeskContact helpdesk, IOptions<NotificationOptions> options, TimeProvider time)
{
    public static string When(DateTimeOffset t) => t.ToUniversalTime().ToString("dddd d MMMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>Queues <paramref name="kind"/> to each recipient once; returns the ids of the messages queued now.</summary>
    public async Task<IReadOnlyList<Guid>> QueueAsync(PortalDbContext db, string kind, IEnumerable<string> recipients,
        IReadOnlyDictionary<string, string> values, string dedupeKey, NotificationAbout about, CancellationToken ct)
    {
        var known = NotificationKinds.Find(kind) ?? throw new ArgumentException($"Unknown notification kind '{kind}'", nameof(kind));
        var all = new Dictionary<string, string>(values);
        if (known.Placeholders.Contains("helpdesk") && !all.ContainsKey("helpdesk")) all["helpdesk"] = await helpdesk.ResolveAsync(db, ct);
        var row = await db.NotificationTemplates.AsNoTracking().FirstOrDefaultAsync(t => t.Kind == kind, ct);
        var email = row is null
            ? TemplateText.Render(known.Subject, known.TextBody, known.HtmlBody, all)
            : TemplateText.Render(row.Subject, row.TextBody, row.HtmlBody, all);
        var now = time.GetUtcNow();
        var queued = new List<Guid>();
        foreach (var to in recipients.Select(r => r.Trim()).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (EmailOutbox.CheckAddress(to) is not null) continue;
            var id = Guid.NewGuid();
            var key = $"{dedupeKey}:{to.ToLowerInvariant()}";
            var inserted = await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO email_outbox ("Id", "To", "Subject", "TextBody", "HtmlBody", "Kind", "Target", "CertificateSerial", "Status",
                    "Attempts", "NextAttemptAt", "CreatedAt", "CreatedBy", "DedupeKey")
                VALUES ({id}, {to}, {email.Subject}, {email.TextBody}, {email.HtmlBody}, {kind}, {about.Target}, {about.CertificateSerial},
                    {OutboxStatus.Pending}, 0, {now}, {now}, {about.CreatedBy}, {key})
                ON CONFLICT ("DedupeKey") DO NOTHING
                """, ct);
            if (inserted == 1) queued.Add(id);
        }
        // Delivered at commit, like OutboxNotifier's: the senders wake when the messages are visible.
        if (queued.Count > 0) await db.Database.ExecuteSqlRawAsync($"SELECT pg_notify('{OutboxNotifier.Channel}', '')", ct);
        return queued;
    }

    /// <summary>Every enabled operator with the Admin role (their sign-in email), plus <c>Notifications:AdminAddresses</c>.</summary>
    public async Task<IReadOnlyList<string>> AdminRecipientsAsync(PortalDbContext db, CancellationToken ct)
    {
        var admins = await (from ur in db.UserRoles
                            join r in db.Roles on ur.RoleId equals r.Id
                            join u in db.Users on ur.UserId equals u.Id
                            where r.Name == Roles.Admin && !u.IsDisabled && u.Email != null
                            select u.Email!).ToListAsync(ct);
        return admins.Concat(options.Value.AdminAddresses).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The revocation notice to the user (when they have an address), in the revocation's transaction.</summary>
    public Task<IReadOnlyList<Guid>> QueueRevocationAsync(PortalDbContext db, string user, string? email, string serial, string reason,
        DateTimeOffset revokedAt, CancellationToken ct) =>
        email is null
            ? Task.FromResult<IReadOnlyList<Guid>>([])
            : QueueAsync(db, NotificationKinds.Revocation, [email],
                new Dictionary<string, string> { ["user"] = user, ["serial"] = serial, ["reason"] = reason, ["revokedAt"] = When(revokedAt) },
                $"revoked:{serial}", new NotificationAbout($"vpn-user:{user}", serial), ct);

    /// <summary>The host-key mismatch alert to Admins, once per host, approved key and presented key.</summary>
    public async Task<IReadOnlyList<Guid>> QueueHostKeyMismatchAsync(PortalDbContext db, string host, string expected, string presented,
        DateTimeOffset at, CancellationToken ct) =>
        await QueueAsync(db, NotificationKinds.HostKeyMismatch, await AdminRecipientsAsync(db, ct),
            new Dictionary<string, string> { ["host"] = host, ["expected"] = expected, ["presented"] = presented, ["at"] = When(at) },
            $"host-key:{host}:{expected}:{presented}", new NotificationAbout($"host:{host}"), ct);

    /// <summary>
    /// The CRL alert of a VPN server to Admins, from the CRL distribution and freshness monitor: once per alert episode
    /// (<paramref name="episode"/>: when the server entered the alert), however often the monitor finds it again.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> QueueCrlStaleAsync(PortalDbContext db, string server, string state, string? problem, string? crlNumbers,
        DateTimeOffset? nextUpdate, DateTimeOffset episode, CancellationToken ct) =>
        await QueueAsync(db, NotificationKinds.CrlStale, await AdminRecipientsAsync(db, ct),
            new Dictionary<string, string>
            {
                ["server"] = server, ["state"] = state, ["problem"] = problem ?? "", ["crlNumbers"] = crlNumbers ?? "unknown",
                ["nextUpdate"] = nextUpdate is { } n ? When(n) : "unknown",
            },
            $"crl-alert:{server}:{episode.UtcTicks}", new NotificationAbout($"vpn-server:{server}"), ct);
}
