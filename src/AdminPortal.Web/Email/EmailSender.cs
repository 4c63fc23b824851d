using System.Threading.Channels;
using AdminPortal.Data.Email;
using AdminPortal.Web.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AdminPortal.Web.Email;

/// <summary>
/// The background sender: delivers due messages, then sleeps until the next one falls due, a NOTIFY says a message
/// was committed (on any instance), or the poll interval passes.
/// </summary>
public sealed class EmailSender(OutboxDelivery delivery, PortalDatabase database, IOptions<EmailOptions> options, TimeProvider time,
    ILogger<EmailSender> log) : BackgroundService
{
    /// <summary>The listening session's application_name (pg_stat_activity).</summary>
    public const string ListenerName = "adminportal-outbox-listener";

    private const int Batch = 100;
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(200);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listener = ListenAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = options.Value.PollInterval;
            try
            {
                var (sent, step) = (0, DeliveryStep.Delivered);
                while (sent < Batch && (step = await delivery.DeliverNextAsync(stoppingToken)) == DeliveryStep.Delivered) sent++;
                if (sent == Batch) wait = TimeSpan.Zero;
                // Due but not claimed: another instance holds it for the moment; look again shortly, not in a tight loop.
                else if (step == DeliveryStep.NoneDue && await delivery.NextDueAsync(stoppingToken) is { } due)
                    wait = TimeSpan.FromTicks(Math.Max(MinimumWait.Ticks, Math.Min((due - time.GetUtcNow()).Ticks, wait.Ticks)));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                log.SenderFailed(e, wait);
            }
            await SleepAsync(wait, stoppingToken);
        }
        await listener;
    }

    private async Task SleepAsync(TimeSpan wait, CancellationToken ct)
    {
        if (wait <= TimeSpan.Zero || ct.IsCancellationRequested) return;
        using var either = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var timer = Task.Delay(wait, time, either.Token);
        var woken = _wake.Reader.WaitToReadAsync(either.Token).AsTask();
        await Task.WhenAny(timer, woken);
        await either.CancelAsync();
        _wake.Reader.TryRead(out _);
    }

    /// <summary>
    /// Holds a LISTEN connection (reconnecting after a fault) and turns each notification into a wake-up. Its own
    /// session outside the pool, with a keep-alive: a connection that died silently (a database failover, a
    /// dropped network path) is noticed within seconds, not left waiting for notifications that never come.
    /// </summary>
    private async Task ListenAsync(CancellationToken ct)
    {
        var cs = database.ListenerConnectionString(ListenerName);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var conn = new NpgsqlConnection(cs);
                await conn.OpenAsync(ct);
                conn.Notification += (_, _) => _wake.Writer.TryWrite(true);
                await using (var listen = new NpgsqlCommand($"LISTEN {OutboxNotifier.Channel}", conn))
                    await listen.ExecuteNonQueryAsync(ct);
                _wake.Writer.TryWrite(true); // anything committed while nobody listened
                while (true) await conn.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.WakeUpsPaused(e.Message);
                try { await Task.Delay(TimeSpan.FromSeconds(5), time, ct); }
                catch (OperationCanceledException) { return; }
            }
        }
    }
}

internal static partial class EmailSenderLog
{
    [LoggerMessage(LogLevel.Error, "The email sender failed; trying again in {Wait}")]
    public static partial void SenderFailed(this ILogger logger, Exception exception, TimeSpan wait);

    [LoggerMessage(LogLevel.Warning, "Email wake-ups paused, the database connection failed: {Error}")]
    public static partial void WakeUpsPaused(this ILogger logger, string error);
}
