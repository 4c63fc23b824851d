using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Email;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Email;

/// <summary>A message as operators see it (the body is left out: it may hold a download link).</summary>
public sealed record OutboxItem(
    Guid Id, string To, string Subject, string Kind, string? Target, string? CertificateSerial, string Status, int Attempts,
    DateTimeOffset NextAttemptAt, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? SentAt);

/// <summary>The outbox for operators: recent messages by status, and putting a failed one back in the queue.</summary>
public sealed class OutboxService(IDbContextFactory<PortalDbContext> dbs, AuditedWork work, TimeProvider time)
{
    public static PortalError? CheckStatus(string? status) =>
        status is null || OutboxStatus.All.Contains(status) ? null
            : new InvalidInput("status", $"status must be one of {string.Join(", ", OutboxStatus.All)}.");

    public async Task<IReadOnlyList<OutboxItem>> ListAsync(string? status, int limit, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var q = db.OutboxMessages.AsNoTracking();
        if (status is not null) q = q.Where(m => m.Status == status);
        return await q.OrderByDescending(m => m.CreatedAt).ThenBy(m => m.Id).Take(Math.Clamp(limit, 1, 500))
            .Select(m => new OutboxItem(m.Id, m.To, m.Subject, m.Kind, m.Target, m.CertificateSerial, m.Status, m.Attempts,
                m.NextAttemptAt, m.LastError, m.CreatedAt, m.SentAt))
            .ToListAsync(ct);
    }

    public async Task<IReadOnlyDictionary<string, int>> CountsAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var counts = await db.OutboxMessages.GroupBy(m => m.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        return OutboxStatus.All.ToDictionary(s => s, s => counts.FirstOrDefault(c => c.Key == s)?.Count ?? 0);
    }

    /// <summary>Queues a failed message again, with a fresh count of attempts (audited).</summary>
    public Task<Result<OutboxItem>> RetryAsync(Guid id, AuditActor actor, CancellationToken ct) =>
        work.RunAsync<Result<OutboxItem>>(async (_, db, c) =>
        {
            var m = await db.OutboxMessages.FromSql($"""SELECT * FROM email_outbox WHERE "Id" = {id} FOR UPDATE""").ToListAsync(c);
            if (m is not [var message]) return (new NotFound("Email", id.ToString()), null);
            if (message.Status != OutboxStatus.Failed)
                return (new Conflict($"Only a failed email can be retried; this one is {message.Status}."), null);
            (message.Status, message.Attempts, message.NextAttemptAt) = (OutboxStatus.Pending, 0, time.GetUtcNow());
            return (Item(message), new AuditEntry(actor, "email.retried", message.Target ?? $"email:{message.Id}",
                new { messageId = message.Id, to = message.To, kind = message.Kind, serial = message.CertificateSerial, lastError = message.LastError }));
        }, ct);

    private static OutboxItem Item(OutboxMessage m) =>
        new(m.Id, m.To, m.Subject, m.Kind, m.Target, m.CertificateSerial, m.Status, m.Attempts, m.NextAttemptAt, m.LastError, m.CreatedAt, m.SentAt);
}
