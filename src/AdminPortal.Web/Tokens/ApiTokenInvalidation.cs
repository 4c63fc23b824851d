using AdminPortal.Data;
using AdminPortal.Web.Hosting;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AdminPortal.Web.Tokens;

/// <summary>
/// Keeps every instance's <see cref="ApiTokenCache"/> honest. A token change sends a NOTIFY in its own
/// transaction (delivered only once it commits); each instance LISTENs on a connection of its own and, while
/// it does, holds a shared advisory lock. On a notification it clears its cache, then lets go of the lock and
/// queues for it again. The changer, once committed, takes the lock exclusively (<see cref="ConfirmAsync"/>),
/// which it gets only after every listening instance has let go, that is, has cleared its cache: when the
/// revocation is reported done, no instance serves the token from memory any more, and the next request
/// anywhere is refused. An instance whose connection fails stops using its cache at once and starts over
/// empty when it is back; a revoker never waits for an instance whose connection is gone, because the server
/// drops a closed session's locks. What remains: an instance whose connection the server closed serves from
/// its cache until its listener reads the close (normally at once, or after the keep-alive below).
/// </summary>
public sealed class ApiTokenInvalidation(
    PortalDatabase database, NpgsqlDataSource dataSource, ApiTokenCache cache, TimeProvider time, ILogger<ApiTokenInvalidation> log)
    : BackgroundService
{
    public const string Channel = "api_tokens";

    /// <summary>Advisory lock key ("ApTk" in ASCII); listeners hold it shared, a revoker takes it exclusively.</summary>
    private const long Lock = 0x4170546B;

    /// <summary>How long a revoker waits for the instances to confirm before it reports the revocation anyway (and logs it).</summary>
    public static readonly TimeSpan ConfirmTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The listening session's application_name (pg_stat_activity).</summary>
    public const string ListenerName = "adminportal-token-listener";

    private int _changed;

    /// <summary>In the transaction that changes a token: every instance clears its cache when it commits.</summary>
    public static Task NotifyAsync(PortalDbContext db, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync($"SELECT pg_notify('{Channel}', '')", ct);

    /// <summary>After the change committed: returns once every listening instance has cleared its cache.</summary>
    public async Task ConfirmAsync(CancellationToken ct)
    {
        try
        {
            await using var conn = await dataSource.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            await using var cmd = new NpgsqlCommand(
                $"SET LOCAL lock_timeout = '{(int)ConfirmTimeout.TotalMilliseconds}ms'; SELECT pg_advisory_xact_lock({Lock})", conn, tx);
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
                conn.Notification += (_, _) =>
                {
                    cache.Invalidate();
                    Volatile.Write(ref _changed, 1);
                };
                await ExecuteAsync(conn, $"LISTEN {Channel}; SELECT pg_advisory_lock_shared({Lock})", stoppingToken);
                cache.Resume();
                while (true)
                {
                    // Cleared already (in the handler): let the revokers through, and queue for the lock behind them.
                    // A notification can also arrive while a command runs, so look before waiting.
                    if (Interlocked.Exchange(ref _changed, 0) == 1)
                        await ExecuteAsync(conn, $"SELECT pg_advisory_unlock_shared({Lock}); SELECT pg_advisory_lock_shared({Lock})", stoppingToken);
                    else
                        await conn.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                cache.Suspend();
                return;
            }
            catch (Exception e)
            {
                cache.Suspend();
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

    [LoggerMessage(LogLevel.Warning, "API tokens are checked against the database on every request until the invalidation listener is back: {Error}")]
    public static partial void ListenerDown(this ILogger logger, string error);
}
