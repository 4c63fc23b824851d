using AdminPortal.Data;
using AdminPortal.Web.Hosting;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AdminPortal.Web.Tokens;

/// <summary>
/// Keeps every instance's in-memory caches honest (<see cref="IInstanceCache"/>: API tokens, operator sessions, SSH
/// connections under a replaced host key; the name is from when tokens were the only one). A change sends a NOTIFY on
/// its cache's channel in its own transaction (delivered only once it commits); each instance LISTENs on a connection
/// of its own and, while it does, holds a shared advisory lock. On a notification it tells the cache, then lets go of
/// the lock and queues for it again. The changer, once committed, takes the lock exclusively (<see cref="ConfirmAsync"/>),
/// which it gets only after every listening instance has let go, that is, has cleared its cache: when a revocation or
/// a sign-out is reported done, no instance serves it from memory any more, and the next request anywhere is refused.
/// An instance whose connection fails stops using its caches at once and starts over empty when it is back; a
/// changer never waits for an instance whose connection is gone, because the server drops a closed session's locks.
/// What remains: an instance whose connection the server closed serves from its cache until its listener reads the
/// close (normally at once, or after the keep-alive below).
/// </summary>
public sealed partial class ApiTokenInvalidation(
    PortalDatabase database, NpgsqlDataSource dataSource, IEnumerable<IInstanceCache> caches, TimeProvider time, ILogger<ApiTokenInvalidation> log)
    : BackgroundService
{
    public const string Channel = "api_tokens";

    /// <summary>How long a revoker waits for the instances to confirm before it reports the revocation anyway (and logs it).</summary>
    public static readonly TimeSpan ConfirmTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The listening session's application_name (pg_stat_activity).</summary>
    public const string ListenerName = "adminportal-token-listener";

    private int _changed;
    private readonly IInstanceCache[] _caches = caches.ToArray();

    /// <summary>In the transaction that changes a token: every instance clears its cache when it commits.</summary>
    public static Task NotifyAsync(PortalDbContext db, CancellationToken ct) => NotifyAsync(db, Channel, "", ct);

    /// <summary>In the transaction of a change: every instance's cache on <paramref name="channel"/> hears of it when it commits.</summary>
    public static Task NotifyAsync(PortalDbContext db, string channel, string payload, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_notify({channel}, {payload})", ct);

    /// <summary>After the change committed: returns once every listening instance has cleared its cache.</summary>
    public async Task ConfirmAsync(CancellationToken ct)
    {
        try
        {
            await using var conn = await dataSource.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            await using var cmd = new NpgsqlCommand(
                $"SET LOCAL lock_timeout = '{(int)ConfirmTimeout.TotalMilliseconds}ms'; SELECT pg_advisory_xact_lock({AdvisoryLocks.ApiTokenInvalidation})", conn, tx);
            await cmd.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            log.ChangeNotConfirmed(ConfirmTimeout);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Its own session, outside the pool, with a keep-alive so that a dead connection is noticed.
        var cs = database.ListenerConnectionString(ListenerName);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var conn = new NpgsqlConnection(cs);
                await conn.OpenAsync(stoppingToken);
                Volatile.Write(ref _changed, 0);
                conn.Notification += (_, e) =>
                {
                    foreach (var cache in _caches.Where(c => c.Channel == e.Channel)) cache.Changed(e.Payload);
                    Volatile.Write(ref _changed, 1);
                };
                var listen = string.Concat(_caches.Select(c => c.Channel).Distinct().Select(c => $"LISTEN {c}; "));
                await ExecuteAsync(conn, $"{listen}SELECT pg_advisory_lock_shared({AdvisoryLocks.ApiTokenInvalidation})", stoppingToken);
                foreach (var cache in _caches) cache.Resume();
                while (true)
                {
                    // Cleared already (in the handler): let the revokers through, and queue for the lock behind them.
                    // A notification can also arrive while a command runs, so look before waiting.
                    if (Interlocked.Exchange(ref _changed, 0) == 1)
                        await ExecuteAsync(conn, $"SELECT pg_advisory_unlock_shared({AdvisoryLocks.ApiTokenInvalidation}); SELECT pg_advisory_lock_shared({AdvisoryLocks.ApiTokenInvalidation})", stoppingToken);
                    else
                        await conn.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                foreach (var cache in _caches) cache.Suspend();
                return;
            }
            catch (Exception e)
            {
                foreach (var cache in _caches) cache.Suspend();
                log.ListenerDown(e.Message);
                try { await Task.Delay(TimeSpan.FromSeconds(2), time, stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }


    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}

internal static partial class ApiTokenInvalidationLog
{
    [LoggerMessage(LogLevel.Warning, "A portal instance did not confirm a token change within {Timeout}; it may accept the token until it reads the change")]
    public static partial void ChangeNotConfirmed(this ILogger logger, TimeSpan timeout);

    [LoggerMessage(LogLevel.Warning, "API tokens and sessions are checked against the database on every request until the invalidation listener is back: {Error}")]
    public static partial void ListenerDown(this ILogger logger, string error);
}
