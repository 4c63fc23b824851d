using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace AdminPortal.Data.Audit;

/// <summary>
/// Appends events to the hash chain inside the caller's transaction: the event commits or rolls back with
/// the change it describes. Writers serialize on the chain head row (SELECT ... FOR UPDATE), which makes the
/// sequence gapless; append last, just before commit, to hold the lock briefly. The database function
/// <c>audit_append</c> (migration AuditAppendFunction) locks, hashes (the <see cref="AuditHasher"/> format),
/// inserts and moves the head in one statement: the lock is held for that one round trip and the commit.
/// </summary>
public sealed class AuditLog(TimeProvider time)
{
    private const string Append = "SELECT audit_append($1, $2, $3, $4, $5, $6, $7, $8)";
    private const string DeferFlush = "SELECT set_config('synchronous_commit', 'off', true)"; // SET LOCAL, as a query a batch can carry

    /// <param name="deferCommitFlush">
    /// Also do what <see cref="DeferCommitFlushAsync"/> does, in the same round trip as the append; the caller
    /// must then commit and call <see cref="WaitDurableAsync"/> before reporting success.
    /// </param>
    public async Task<long> AppendAsync(PortalDbContext db, AuditEntry entry, CancellationToken ct, bool deferCommitFlush = false)
    {
        var tx = db.Database.CurrentTransaction
            ?? throw new InvalidOperationException("Audit events are written inside the transaction of the change they describe.");
        var results = await AppendAsync((NpgsqlConnection)db.Database.GetDbConnection(), tx.GetDbTransaction() as NpgsqlTransaction, [entry], ct, deferCommitFlush);
        return results[^1];
    }

    /// <summary>Appends several events in order on an open connection and transaction, in one round trip.</summary>
    public async Task<long[]> AppendAsync(
        NpgsqlConnection conn, NpgsqlTransaction? tx, IReadOnlyList<AuditEntry> entries, CancellationToken ct, bool deferCommitFlush = false)
    {
        ArgumentNullException.ThrowIfNull(tx);
        if (entries.Count == 0) return [];
        // Serialize (and refuse secrets in) every event's details before taking the lock.
        var details = entries.Select(e => e.DetailsJson()).ToArray();
        var now = AuditHasher.Truncate(time.GetUtcNow());
        await using var batch = new NpgsqlBatch(conn, tx);
        // synchronous_commit is read at commit time, so setting it here, with the append, is as good as at the start.
        if (deferCommitFlush) batch.BatchCommands.Add(new NpgsqlBatchCommand(DeferFlush));
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            var c = new NpgsqlBatchCommand(Append);
            c.Parameters.Add(new() { Value = now, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            // Cleaned before sending: audit_append hashes exactly what it receives, and the stored row is what
            // AuditHasher later recomputes from.
            foreach (var text in new[] { e.Actor.Name, e.Actor.Role, e.Action, e.Target, details[i], e.Actor.ClientAddress, e.Outcome })
                c.Parameters.Add(new() { Value = (object?)AuditText.CleanOrNull(text) ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            batch.BatchCommands.Add(c);
        }
        var sequences = new long[entries.Count];
        await using var reader = await batch.ExecuteReaderAsync(ct);
        if (deferCommitFlush) await reader.NextResultAsync(ct);
        for (var i = 0; i < entries.Count; i++)
        {
            if (!await reader.ReadAsync(ct)) throw new InvalidOperationException("audit_append returned no sequence.");
            sequences[i] = reader.GetInt64(0);
            await reader.NextResultAsync(ct);
        }
        return sequences;
    }

    private const string CopyRows = "COPY audit_events (" + AuditCopyRows.Columns + ") FROM STDIN (FORMAT BINARY)";

    /// <summary>
    /// Appends many events in one go for a group commit: locks the chain head, hashes in process with
    /// <see cref="AuditHasher"/> (the format <c>audit_append</c> implements and the verifier checks), then
    /// copies every row in (COPY) and moves the head once. Calling
    /// <c>audit_append</c> per event would update the head row once per event in one transaction, and every
    /// lookup of it would walk all those row versions.
    /// </summary>
    /// <param name="detailsJson">Each entry's <see cref="AuditEntry.DetailsJson"/> when the caller has it already (it checked them).</param>
    public async Task<long[]> AppendManyAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<AuditEntry> entries, CancellationToken ct, IReadOnlyList<string>? detailsJson = null)
    {
        if (entries.Count == 0) return [];
        var n = entries.Count;
        var (actor, role, action, target, details, address, outcome) =
            (new string[n], new string[n], new string[n], new string[n], new string[n], new string?[n], new string[n]);
        for (var i = 0; i < n; i++)
        {
            var e = entries[i];
            (actor[i], role[i], action[i], target[i]) = (AuditText.Clean(e.Actor.Name), AuditText.Clean(e.Actor.Role), AuditText.Clean(e.Action), AuditText.Clean(e.Target));
            (details[i], address[i], outcome[i]) = (AuditText.Clean(detailsJson?[i] ?? e.DetailsJson()), AuditText.CleanOrNull(e.Actor.ClientAddress), AuditText.Clean(e.Outcome));
        }
        var now = AuditHasher.Truncate(time.GetUtcNow());
        long seq;
        byte[] hash;
        await using (var head = new NpgsqlCommand("SELECT sequence, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE", conn, tx))
        await using (var reader = await head.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct)) throw new InvalidOperationException("The audit chain head row is missing.");
            (seq, hash) = (reader.GetInt64(0), (byte[])reader[1]);
        }
        // COPY (binary) rather than an INSERT over unnest(): PostgreSQL takes the rows without planning or
        // executing a statement per batch and without decoding ten arrays; it is the same table, triggers and
        // constraints, in the caller's transaction. The rows are encoded here, hashed as they are encoded, and
        // sent in pieces of about 64 KiB.
        var sequences = new long[n];
        using var rows = new AuditCopyRows(hash);
        var copy = await conn.BeginRawBinaryCopyAsync(CopyRows, ct);
        try
        {
            for (var i = 0; i < n; i++)
            {
                rows.Add(sequences[i] = ++seq, now, actor[i], role[i], action[i], target[i], details[i], address[i], outcome[i]);
                if (rows.Pending.Length < 60 * 1024) continue;
                await copy.WriteAsync(rows.Pending, ct);
                rows.Clear();
            }
            rows.End();
            await copy.WriteAsync(rows.Pending, ct);
        }
        catch
        {
            await AbandonAsync(copy);
            throw;
        }
        await copy.DisposeAsync(); // ends the COPY; PostgreSQL's refusal of a row is thrown here
        hash = rows.LastHash;
        await using var moveHead = new NpgsqlCommand("UPDATE audit_chain_head SET sequence = $1, hash = $2 WHERE id = 1", conn, tx)
        {
            Parameters = { new() { Value = seq }, new() { Value = hash } },
        };
        await moveHead.ExecuteNonQueryAsync(ct);
        return sequences;
    }

    /// <summary>Cancels a half-sent COPY so none of it is kept; the caller's transaction fails with the original error.</summary>
    private static async Task AbandonAsync(NpgsqlRawCopyStream copy)
    {
        try
        {
            await copy.CancelAsync();
            await copy.DisposeAsync();
        }
        catch (Exception e) when (e is NpgsqlException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            // The connection is already broken: the transaction cannot commit either way.
        }
    }

    /// <summary>
    /// Call right after beginning a transaction that will append (before the chain lock is taken): its commit
    /// will not wait for the WAL flush, so the chain lock is released without holding every other writer
    /// through a disk flush (about 1 ms here, which would cap the portal at ~1/flush events per second).
    /// The caller must then commit and call <see cref="WaitDurableAsync"/> before reporting success.
    /// </summary>
    public static async Task DeferCommitFlushAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(DeferFlush, conn, tx);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Returns once every transaction this session committed is durable, under the server's own
    /// <c>synchronous_commit</c> setting: a one-statement transaction writes a transactional WAL message (so
    /// it has a WAL record to commit) and its synchronous commit flushes the WAL through all earlier commits.
    /// Concurrent writers share these flushes (group commit). Until it returns, other sessions may already
    /// see the change, as with any asynchronous commit; a crash in that window loses the change and its
    /// event together, with everything chained after them, and the caller was never told it succeeded.
    /// </summary>
    public static async Task WaitDurableAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_logical_emit_message(true, 'adminportal.audit', '')", conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
