using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace AdminPortal.Data.Audit;

/// <summary>
/// Appends events to the hash chain inside the caller's transaction: the event commits or rolls back with
/// the change it describes. Writers serialize on the chain head row (SELECT ... FOR UPDATE), which makes the
/// sequence gapless; append last, just before commit, to hold the lock briefly.
/// </summary>
public sealed class AuditLog(TimeProvider time)
{
    private const string LockHead = "SELECT sequence, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE";
    private const string Insert =
        "INSERT INTO audit_events (sequence, occurred_at, actor, actor_role, action, target, details, client_address, outcome, prev_hash, hash) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7::json, $8, $9, $10, $11)";
    private const string MoveHead = "UPDATE audit_chain_head SET sequence = $1, hash = $2 WHERE id = 1";

    public async Task<long> AppendAsync(PortalDbContext db, AuditEntry entry, CancellationToken ct)
    {
        var tx = db.Database.CurrentTransaction
            ?? throw new InvalidOperationException("Audit events are written inside the transaction of the change they describe.");
        var results = await AppendAsync((NpgsqlConnection)db.Database.GetDbConnection(), tx.GetDbTransaction() as NpgsqlTransaction, [entry], ct);
        return results[^1];
    }

    /// <summary>Appends several events in order on an open connection and transaction.</summary>
    public async Task<long[]> AppendAsync(
        NpgsqlConnection conn, NpgsqlTransaction? tx, IReadOnlyList<AuditEntry> entries, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        // Serialize details before taking the lock.
        var details = entries.Select(e => e.DetailsJson()).ToArray();
        long seq;
        byte[] prev;
        await using (var cmd = new NpgsqlCommand(LockHead, conn, tx))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct)) throw new InvalidOperationException("The audit chain head row is missing.");
            seq = reader.GetInt64(0);
            prev = (byte[])reader[1];
        }

        var now = AuditHasher.Truncate(time.GetUtcNow());
        var batch = new NpgsqlBatch(conn, tx);
        var sequences = new long[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            seq++;
            var hash = AuditHasher.Compute(prev, seq, now, e.Actor.Name, e.Actor.Role, e.Action, e.Target, details[i], e.Actor.ClientAddress, e.Outcome);
            var c = new NpgsqlBatchCommand(Insert);
            c.Parameters.Add(new() { Value = seq });
            c.Parameters.Add(new() { Value = now });
            c.Parameters.Add(new() { Value = e.Actor.Name });
            c.Parameters.Add(new() { Value = e.Actor.Role });
            c.Parameters.Add(new() { Value = e.Action });
            c.Parameters.Add(new() { Value = e.Target });
            c.Parameters.Add(new() { Value = details[i] });
            c.Parameters.Add(new() { Value = (object?)e.Actor.ClientAddress ?? DBNull.Value });
            c.Parameters.Add(new() { Value = e.Outcome });
            c.Parameters.Add(new() { Value = prev });
            c.Parameters.Add(new() { Value = hash });
            batch.BatchCommands.Add(c);
            sequences[i] = seq;
            prev = hash;
        }
        var move = new NpgsqlBatchCommand(MoveHead);
        move.Parameters.Add(new() { Value = seq });
        move.Parameters.Add(new() { Value = prev });
        batch.BatchCommands.Add(move);
        await using (batch) await batch.ExecuteNonQueryAsync(ct);
        return sequences;
    }
}
