using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Email;
using AdminPortal.Web.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AdminPortal.Web.Email;

public enum DeliveryStep { Delivered, NoneDue, NotConfigured }

/// <summary>
/// Claims one due message (a lease, taken with <c>FOR UPDATE SKIP LOCKED</c> so instances never take the same one),
/// sends it, and records the result with its audit event in one transaction.
/// </summary>
public sealed class OutboxDelivery(
    NpgsqlDataSource dataSource, IDbContextFactory<PortalDbContext> dbs, AuditedWork work, SmtpSettingsService settings,
    SmtpTransport transport, IOptions<EmailOptions> options, TimeProvider time, ILogger<OutboxDelivery> log)
{
    private const string Claim = """
        UPDATE email_outbox SET "Status" = 'sending', "Attempts" = "Attempts" + 1, "LeaseId" = $1, "LeaseUntil" = $2
        WHERE "Id" = (SELECT "Id" FROM email_outbox
                      WHERE ("Status" = 'pending' AND "NextAttemptAt" <= $3) OR ("Status" = 'sending' AND "LeaseUntil" < $3)
                      ORDER BY "NextAttemptAt" LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING "Id"
        """;

    /// <summary>Sends the next due message, if there is one and SMTP is configured.</summary>
    public async Task<DeliveryStep> DeliverNextAsync(CancellationToken ct)
    {
        var smtp = await settings.ConnectionAsync(ct);
        if (smtp is null) return DeliveryStep.NotConfigured;
        var lease = Guid.NewGuid();
        var now = time.GetUtcNow();
        await using var cmd = dataSource.CreateCommand(Claim);
        cmd.Parameters.Add(new() { Value = lease });
        cmd.Parameters.Add(new() { Value = now + options.Value.LeaseDuration });
        cmd.Parameters.Add(new() { Value = now });
        if (await cmd.ExecuteScalarAsync(ct) is not Guid id) return DeliveryStep.NoneDue;

        OutboxMessage message;
        await using (var db = await dbs.CreateDbContextAsync(ct))
            message = await db.OutboxMessages.AsNoTracking().SingleAsync(m => m.Id == id, ct);
        var result = await transport.SendAsync(smtp, message, ct);
        var recorded = await RecordAsync(id, lease, result, ct);
        if (!recorded) log.LeaseExpiredAfterSend(id);
        else if (result.Verdict != SendVerdict.Sent) log.NotSent(id, message.To, result.Verdict, result.Error);
        return DeliveryStep.Delivered;
    }

    /// <summary>When the next pending message falls due, if any.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.OutboxMessages.Where(m => m.Status == OutboxStatus.Pending || m.Status == OutboxStatus.Sending)
            .MinAsync(m => (DateTimeOffset?)(m.Status == OutboxStatus.Pending ? m.NextAttemptAt : m.LeaseUntil), ct);
    }

    private Task<bool> RecordAsync(Guid id, Guid lease, SendResult result, CancellationToken ct) =>
        work.RunAsync<bool>(async (_, db, c) =>
        {
            var m = await db.OutboxMessages.FirstOrDefaultAsync(x => x.Id == id && x.LeaseId == lease && x.Status == OutboxStatus.Sending, c);
            if (m is null) return (false, null);
            var now = time.GetUtcNow();
            m.LeaseId = null;
            m.LeaseUntil = null;
            var verdict = result.Verdict == SendVerdict.Retry && m.Attempts >= options.Value.MaxAttempts ? SendVerdict.Failed : result.Verdict;
            string action;
            switch (verdict)
            {
                case SendVerdict.Sent:
                    (m.Status, m.SentAt, action) = (OutboxStatus.Sent, now, "email.sent");
                    break;
                case SendVerdict.Retry:
                    (m.Status, m.NextAttemptAt, m.LastError, action) = (OutboxStatus.Pending, now + options.Value.DelayAfter(m.Attempts), result.Error, "email.deferred");
                    break;
                default:
                    var gaveUp = result.Verdict == SendVerdict.Retry ? $"Gave up after {m.Attempts} attempts. " : "";
                    (m.Status, m.LastError, action) = (OutboxStatus.Failed, Clip(gaveUp + result.Error), "email.failed");
                    break;
            }
            return (true, new AuditEntry(AuditActor.System, action, m.Target ?? $"email:{m.Id}",
                new
                {
                    messageId = m.Id, to = m.To, kind = m.Kind, serial = m.CertificateSerial, attempts = m.Attempts, error = m.LastError,
                    nextAttemptAt = m.Status == OutboxStatus.Pending ? m.NextAttemptAt : (DateTimeOffset?)null,
                },
                verdict == SendVerdict.Sent ? AuditOutcome.Success : AuditOutcome.Failure));
        }, ct);

    private static string Clip(string s) => s.Length > 1000 ? s[..1000] : s;
}

internal static partial class OutboxDeliveryLog
{
    [LoggerMessage(LogLevel.Warning, "Email {MessageId} was sent but its lease had expired; another sender may repeat it")]
    public static partial void LeaseExpiredAfterSend(this ILogger logger, Guid messageId);

    [LoggerMessage(LogLevel.Information, "Email {MessageId} to {To}: {Verdict} ({Error})")]
    public static partial void NotSent(this ILogger logger, Guid messageId, string to, SendVerdict verdict, string? error);
}
