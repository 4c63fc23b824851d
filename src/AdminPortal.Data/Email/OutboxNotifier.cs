using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AdminPortal.Data.Email;

/// <summary>
/// Wakes the email senders of every instance when a message is saved: a PostgreSQL NOTIFY issued in the saving
/// transaction is delivered only when it commits, so a sender never wakes up before the message is visible.
/// </summary>
public sealed class OutboxNotifier : SaveChangesInterceptor
{
    public const string Channel = "email_outbox";
    public static readonly OutboxNotifier Instance = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (HasNewMessages(eventData.Context)) eventData.Context!.Database.ExecuteSqlRaw($"SELECT pg_notify('{Channel}', '')");
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (HasNewMessages(eventData.Context)) await eventData.Context!.Database.ExecuteSqlRawAsync($"SELECT pg_notify('{Channel}', '')", cancellationToken);
        return result;
    }

    private static bool HasNewMessages(DbContext? db) =>
        db is not null && db.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State is EntityState.Added or EntityState.Modified);
}
