using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Web.Errors;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Audit;

/// <summary>
/// Runs a change and its audit event in one database transaction: both commit or neither does. The work
/// gets a fresh scope (so Identity's managers share the scope's DbContext) and returns its result with the
/// event to record; returning no event means nothing happened, and the transaction is rolled back.
/// </summary>
public sealed class AuditedWork(IServiceScopeFactory scopes, AuditLog log)
{
    public async Task<T> RunAsync<T>(
        Func<IServiceProvider, PortalDbContext, CancellationToken, Task<(T Result, AuditEntry? Event)>> work, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        await db.Database.OpenConnectionAsync(ct); // kept open after the commit, for WaitDurableAsync
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var conn = (Npgsql.NpgsqlConnection)db.Database.GetDbConnection();
        try
        {
            var (result, entry) = await work(scope.ServiceProvider, db, ct);
            if (entry is null)
            {
                await tx.RollbackAsync(ct);
                return result;
            }
            await db.SaveChangesAsync(ct);
            // The commit releases the chain lock without waiting for the disk (deferCommitFlush, sent with the append:
            // no extra round trip); WaitDurableAsync waits for it afterwards.
            await log.AppendAsync(db, entry, ct, deferCommitFlush: true);
            await tx.CommitAsync(ct);
            await AuditLog.WaitDurableAsync(conn, ct);
            return result;
        }
        catch (InvalidOperationException e) when (conn.FullState.HasFlag(System.Data.ConnectionState.Broken) || conn.State != System.Data.ConnectionState.Open)
        {
            // Npgsql completes the transaction of a connection it found broken, so the next step says "Transaction is already
            // completed": the database went away (a restart) and nothing was committed. Said as the connection fault it is.
            throw new DatabaseConnectionLostException("The database connection was lost during the transaction; nothing was committed.", e);
        }
    }

    /// <summary>Records an event that accompanies no other change (a failed login, an export).</summary>
    public Task RecordAsync(AuditEntry entry, CancellationToken ct) =>
        RunAsync<bool>((_, _, _) => Task.FromResult((true, (AuditEntry?)entry)), ct);
}
