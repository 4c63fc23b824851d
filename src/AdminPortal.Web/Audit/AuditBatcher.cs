using System.Threading.Channels;
using AdminPortal.Data.Audit;
using AdminPortal.Web.Hosting;
using Npgsql;
using NpgsqlTypes;

namespace AdminPortal.Web.Audit;

/// <summary>
/// Group commit for the audit events of reads (a bundle download changes nothing but must be on the trail):
/// a writer drains the queued events and appends them to the chain in ONE transaction, and each caller's
/// task completes only once that transaction is durable; if the write fails, every caller in it fails. The
/// chain lock is then taken once per batch instead of once per read, which is what lets downloads go faster
/// than the chain's ~2,000 transactions/s. State changes never come here: they keep their event in the
/// transaction of the change (<see cref="AuditedWork"/>).
/// </summary>
public sealed class AuditBatcher : IAsyncDisposable
{
    /// <summary>Enough to amortise the lock and the flush; small enough that one batch stays a few milliseconds.</summary>
    public const int MaxBatch = 512;

    /// <summary>Two writers: one batch's check and commit overlap the other's; the chain lock still orders the appends.</summary>
    public const int Writers = 2;

    private const string ActiveQuery = """SELECT "Id" FROM certificates WHERE "Id" = ANY($1) AND "Status" = 'active'""";

    private const string ProfileQuery = """SELECT "Id", "MaterialVersion" FROM vpn_profiles WHERE "Id" = ANY($1)""";

    /// <summary>One queued event. A class compared by reference: hashing records would hash every string of the event.</summary>
    private sealed class Pending(AuditEntry entry, string details, Guid? activeCertificate, ProfileStamp? profile, CancellationToken ct)
    {
        public AuditEntry Entry { get; } = entry;
        public string Details { get; } = details;
        public Guid? ActiveCertificate { get; } = activeCertificate;
        public ProfileStamp? Profile { get; } = profile;
        public CancellationToken Ct { get; } = ct;
        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Set by the batch: the event is in its transaction (the certificate was active, the profile at its version).</summary>
        public bool Written { get; set; }
    }

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    private readonly NpgsqlDataSource _db;
    private readonly AuditLog _log;
    private readonly ILogger<AuditBatcher> _logger;
    private readonly Task[] _writers;

    public AuditBatcher(PortalDatabase database, AuditLog log, ILogger<AuditBatcher> logger)
    {
        // Its own connections, outside the requests' pool: under load a batch must not queue behind the very
        // requests it would release. Every batch runs the same few statements on them, so each is prepared once per
        // connection (PostgreSQL then neither parses nor plans it again).
        _db = new NpgsqlDataSourceBuilder(database.AppConnectionString) { ConnectionStringBuilder = { MaxPoolSize = 2, MaxAutoPrepare = 8, AutoPrepareMinUsages = 2 } }.Build();
        (_log, _logger) = (log, logger);
        _writers = [.. Enumerable.Range(0, Writers).Select(_ => Task.Run(WriteLoopAsync))];
    }

    /// <summary>
    /// Appends the event and returns once it is durable. With <paramref name="activeCertificate"/>, the event
    /// is written only if that certificate is still active when the batch commits (checked in the batch's own
    /// transaction); otherwise nothing is written and the result is false, so a revoked certificate's read is
    /// never confirmed. With <paramref name="profile"/>, also only if that VPN profile's material (server
    /// certificate and tls-crypt key) is still at that version, so a read served from a stale cache is refused.
    /// </summary>
    public Task<bool> AppendAsync(AuditEntry entry, Guid? activeCertificate, CancellationToken ct, ProfileStamp? profile = null)
    {
        // Serialized (and a secret refused) here, in the caller, rather than failing a whole batch; and only once.
        var pending = new Pending(entry, entry.DetailsJson(), activeCertificate, profile, ct);
        var queued = _queue.Writer.TryWrite(pending);
        ObjectDisposedException.ThrowIf(!queued, this);
        // Not WaitAsync(ct): a request whose client went away waits for its batch (a few milliseconds) rather than
        // every download paying for a cancellation registration; a batch skips a caller cancelled before it starts.
        return pending.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var p))
            {
                // A caller that gave up (client gone) is not sent anything, so nothing is recorded for it.
                if (p.Ct.IsCancellationRequested) p.Done.TrySetCanceled(p.Ct);
                else batch.Add(p);
            }
            if (batch.Count == 0) continue;
            try
            {
                await WriteAsync(batch);
                foreach (var p in batch) p.Done.TrySetResult(p.Written);
            }
            catch (Exception e)
            {
                _logger.BatchFailed(e, batch.Count);
                foreach (var p in batch) p.Done.TrySetException(e);
            }
            batch.Clear();
        }
    }

    private async Task WriteAsync(List<Pending> batch)
    {
        // Four round trips a batch (check, lock, insert, commit): on a loaded machine each costs a scheduling delay.
        // The commit waits for the disk with the chain lock held, once per batch; that is what makes it durable.
        await using var conn = await _db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var active = await ActiveAsync(conn, tx, batch);
        var versions = await VersionsAsync(conn, tx, batch);
        var appended = new List<Pending>(batch.Count);
        foreach (var p in batch)
        {
            p.Written = false;
            if ((p.ActiveCertificate is not { } id || active.Contains(id))
                && (p.Profile is not { } stamp || (versions.TryGetValue(stamp.Id, out var v) && v == stamp.Version))) appended.Add(p);
        }
        if (appended.Count > 0)
            await _log.AppendManyAsync(conn, tx, [.. appended.Select(p => p.Entry)], CancellationToken.None, [.. appended.Select(p => p.Details)]);
        await tx.CommitAsync();
        foreach (var p in appended) p.Written = true; // only once the commit returned
    }

    private static async Task<HashSet<Guid>> ActiveAsync(NpgsqlConnection conn, NpgsqlTransaction tx, List<Pending> batch)
    {
        var ids = batch.Where(p => p.ActiveCertificate is not null).Select(p => p.ActiveCertificate!.Value).Distinct().ToArray();
        var active = new HashSet<Guid>();
        if (ids.Length == 0) return active;
        await using var cmd = new NpgsqlCommand(ActiveQuery, conn, tx) { Parameters = { new() { Value = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid } } };
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) active.Add(reader.GetGuid(0));
        return active;
    }

    private static async Task<Dictionary<Guid, int>> VersionsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, List<Pending> batch)
    {
        var ids = batch.Where(p => p.Profile is not null).Select(p => p.Profile!.Value.Id).Distinct().ToArray();
        var versions = new Dictionary<Guid, int>();
        if (ids.Length == 0) return versions;
        await using var cmd = new NpgsqlCommand(ProfileQuery, conn, tx) { Parameters = { new() { Value = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid } } };
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) versions[reader.GetGuid(0)] = reader.GetInt32(1);
        return versions;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers);
        await _db.DisposeAsync();
    }
}

/// <summary>A VPN profile's id and the material version a cached copy of it was read at.</summary>
public readonly record struct ProfileStamp(Guid Id, int Version);

internal static partial class AuditBatcherLog
{
    [LoggerMessage(LogLevel.Error, "Writing a batch of {Count} audit events failed; their requests fail")]
    public static partial void BatchFailed(this ILogger logger, Exception exception, int count);
}
