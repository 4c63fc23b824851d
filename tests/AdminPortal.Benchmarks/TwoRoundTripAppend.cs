using AdminPortal.Data.Audit;
using Npgsql;

namespace AdminPortal.Benchmarks;

/// <summary>
/// The AuditLog append as it was before the <c>audit_append</c> function, kept as a reference: lock the head
/// (round trip 1), hash in .NET, insert and move the head (round trip 2), then the caller's commit.
/// </summary>
public static class TwoRoundTripAppend
{
    public static async Task AppendAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AuditEntry e)
    {
        var details = e.DetailsJson();
        long seq;
        byte[] prev;
        await using (var cmd = new NpgsqlCommand("SELECT sequence, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE", conn, tx))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            seq = reader.GetInt64(0) + 1;
            prev = (byte[])reader[1];
        }
        var now = AuditHasher.Truncate(DateTimeOffset.UtcNow);
        var hash = AuditHasher.Compute(prev, seq, now, e.Actor.Name, e.Actor.Role, e.Action, e.Target, details, e.Actor.ClientAddress, e.Outcome);
        await using var batch = new NpgsqlBatch(conn, tx)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(
                    "INSERT INTO audit_events (sequence, occurred_at, actor, actor_role, action, target, details, client_address, outcome, prev_hash, hash) " +
                    "VALUES ($1, $2, $3, $4, $5, $6, $7::json, $8, $9, $10, $11)")
                {
                    Parameters =
                    {
                        new() { Value = seq }, new() { Value = now }, new() { Value = e.Actor.Name }, new() { Value = e.Actor.Role },
                        new() { Value = e.Action }, new() { Value = e.Target }, new() { Value = details },
                        new() { Value = (object?)e.Actor.ClientAddress ?? DBNull.Value }, new() { Value = e.Outcome },
                        new() { Value = prev }, new() { Value = hash },
                    },
                },
                new NpgsqlBatchCommand("UPDATE audit_chain_head SET sequence = $1, hash = $2 WHERE id = 1")
                {
                    Parameters = { new() { Value = seq }, new() { Value = hash } },
                },
            },
        };
        await batch.ExecuteNonQueryAsync();
    }
}
