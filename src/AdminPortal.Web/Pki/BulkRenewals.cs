using System.Collections.Concurrent;
using AdminPortal.Data.Audit;

namespace AdminPortal.Web.Pki;

public sealed record BulkRenewalProgress(
    Guid Id, int Total, int Done, int Failed, bool Finished, IReadOnlyList<string> Errors, string StartedBy, DateTimeOffset StartedAt);

/// <summary>
/// Renews a selection of users in the background, one audited renewal after another, so the operator can
/// leave the page: progress is kept here (for this process's lifetime) and announced to whoever listens.
/// </summary>
public sealed class BulkRenewals(VpnUserService users, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<BulkRenewals> logger)
{
    public const int MaxSelection = 1000;
    private readonly ConcurrentDictionary<Guid, BulkRenewalProgress> _runs = new();

    /// <summary>Raised after every renewal; subscribers marshal to their own context (components: InvokeAsync).</summary>
    public event Action<BulkRenewalProgress>? Changed;

    public BulkRenewalProgress Start(IReadOnlyList<string> names, AuditActor actor)
    {
        var distinct = names.Distinct(StringComparer.Ordinal).Take(MaxSelection).ToList();
        var run = new BulkRenewalProgress(Guid.NewGuid(), distinct.Count, 0, 0, distinct.Count == 0, [], actor.Name, time.GetUtcNow());
        _runs[run.Id] = run;
        _ = Task.Run(() => RunAsync(run, distinct, actor, lifetime.ApplicationStopping));
        return run;
    }

    public BulkRenewalProgress? Get(Guid id) => _runs.GetValueOrDefault(id);

    public IReadOnlyList<BulkRenewalProgress> Recent() => _runs.Values.OrderByDescending(r => r.StartedAt).Take(5).ToList();

    private async Task RunAsync(BulkRenewalProgress run, IReadOnlyList<string> names, AuditActor actor, CancellationToken ct)
    {
        var errors = new List<string>();
        foreach (var name in names)
        {
            if (ct.IsCancellationRequested) break;
            try
            {
                var result = await users.RenewAsync(name, actor, ct);
                if (!result.Ok) errors.Add($"{name}: {result.Error.Detail}");
                run = run with { Done = run.Done + (result.Ok ? 1 : 0), Failed = run.Failed + (result.Ok ? 0 : 1), Errors = errors.ToList() };
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.RenewalFailed(e, name);
                errors.Add($"{name}: the renewal failed ({e.GetType().Name}).");
                run = run with { Failed = run.Failed + 1, Errors = errors.ToList() };
            }
            Publish(run);
        }
        Publish(run with { Finished = true });
    }

    private void Publish(BulkRenewalProgress run)
    {
        _runs[run.Id] = run;
        Changed?.Invoke(run);
    }
}

internal static partial class BulkRenewalsLog
{
    [LoggerMessage(LogLevel.Error, "Bulk renewal of {User} failed")]
    public static partial void RenewalFailed(this ILogger logger, Exception exception, string user);
}
