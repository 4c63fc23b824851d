using AdminPortal.Data.Audit;
using AdminPortal.Tests.Infrastructure;
using Npgsql;

namespace AdminPortal.Tests.Audit;

/// <summary>
/// What an attacker with the database superuser can do to the audit trail: bypass the append-only triggers
/// (<c>session_replication_role = replica</c> skips ordinary triggers) and rewrite rows, hashes and the head.
/// </summary>
public static class AuditTamper
{
    public static Task<NpgsqlConnection> SuperuserAsync(PortalApp app) => SuperuserAsync(app.SuperuserConnectionString);

    public static async Task<NpgsqlConnection> SuperuserAsync(string superuserConnectionString)
    {
        var conn = new NpgsqlConnection(superuserConnectionString);
        await conn.OpenAsync();
        await new NpgsqlCommand("SET session_replication_role = replica", conn).ExecuteNonQueryAsync();
        return conn;
    }

    public static Task<int> ExecuteAsync(PortalApp app, string sql, params object[] args) =>
        ExecuteAsync(app.SuperuserConnectionString, sql, args);

    public static async Task<int> ExecuteAsync(string superuserConnectionString, string sql, params object[] args)
    {
        await using var conn = await SuperuserAsync(superuserConnectionString);
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args) cmd.Parameters.Add(new() { Value = a });
        return await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Changes the target of one row and recomputes every following hash and the head, as a careful attacker would.</summary>
    public static async Task RewriteAsync(PortalApp app, long sequence, string newTarget)
    {
        await using var conn = await SuperuserAsync(app);
        await using var tx = await conn.BeginTransactionAsync();
        var rows = new List<AuditEvent>();
        await using (var cmd = new NpgsqlCommand(
            "SELECT sequence, occurred_at, actor, actor_role, action, target, details::text, client_address, outcome, prev_hash, hash " +
            "FROM audit_events WHERE sequence >= $1 ORDER BY sequence", conn, tx)
        { Parameters = { new() { Value = sequence } } })
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            while (await r.ReadAsync())
                rows.Add(new AuditEvent
                {
                    Sequence = r.GetInt64(0), OccurredAt = r.GetFieldValue<DateTimeOffset>(1), Actor = r.GetString(2), ActorRole = r.GetString(3),
                    Action = r.GetString(4), Target = r.GetString(5), Details = r.GetString(6), ClientAddress = r.IsDBNull(7) ? null : r.GetString(7),
                    Outcome = r.GetString(8), PrevHash = r.GetFieldValue<byte[]>(9), Hash = r.GetFieldValue<byte[]>(10),
                });
        }
        var prev = rows[0].PrevHash;
        rows[0].Target = newTarget;
        foreach (var e in rows)
        {
            e.PrevHash = prev;
            e.Hash = AuditHasher.Compute(e);
            prev = e.Hash;
            await using var update = new NpgsqlCommand("UPDATE audit_events SET target = $1, prev_hash = $2, hash = $3 WHERE sequence = $4", conn, tx)
            {
                Parameters = { new() { Value = e.Target }, new() { Value = e.PrevHash }, new() { Value = e.Hash }, new() { Value = e.Sequence } },
            };
            await update.ExecuteNonQueryAsync();
        }
        await using (var head = new NpgsqlCommand("UPDATE audit_chain_head SET hash = $1 WHERE id = 1", conn, tx) { Parameters = { new() { Value = prev } } })
            await head.ExecuteNonQueryAsync();
        await tx.CommitAsync();
    }

    /// <summary>Deletes every row after <paramref name="keep"/> and moves the head back to it.</summary>
    public static async Task TruncateAfterAsync(PortalApp app, long keep)
    {
        await using var conn = await SuperuserAsync(app);
        await using var tx = await conn.BeginTransactionAsync();
        await new NpgsqlCommand($"DELETE FROM audit_events WHERE sequence > {keep}", conn, tx).ExecuteNonQueryAsync();
        await new NpgsqlCommand(
            $"UPDATE audit_chain_head SET sequence = {keep}, hash = (SELECT hash FROM audit_events WHERE sequence = {keep}) WHERE id = 1", conn, tx).ExecuteNonQueryAsync();
        await tx.CommitAsync();
    }

    public static async Task<long> HeadAsync(string connectionString)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        return (long)(await new NpgsqlCommand("SELECT sequence FROM audit_chain_head WHERE id = 1", conn).ExecuteScalarAsync())!;
    }

    public static async Task<List<long>> SequencesAsync(string connectionString)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT sequence FROM audit_events ORDER BY sequence", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var list = new List<long>();
        while (await r.ReadAsync()) list.Add(r.GetInt64(0));
        return list;
    }
}
