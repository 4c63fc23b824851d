using Npgsql;

namespace AdminPortal.Data.Audit;

public sealed record CheckpointStatus(long Sequence, string HeadHash, DateTimeOffset CreatedAt, bool SignatureValid, bool Matches);

/// <summary>The answer of a verification: <c>ok</c> only when every row, the head and every checkpoint agree.</summary>
public sealed record AuditVerification(bool Ok, long Checked, long? FirstBrokenSequence, string? Problem, CheckpointStatus? Checkpoint);

/// <summary>
/// Walks the whole chain in sequence order, recomputing each hash, and checks it against the signed
/// checkpoints: a row changed in place breaks its own hash; a rewrite that recomputes every hash no longer
/// matches the checkpoint signed before it.
/// </summary>
public sealed class AuditVerifier(AuditCheckpoints checkpoints)
{
    private const string Walk =
        "SELECT sequence, occurred_at, actor, actor_role, action, target, details::text, client_address, outcome, prev_hash, hash " +
        "FROM audit_events ORDER BY sequence";

    public async Task<AuditVerification> VerifyAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var cps = checkpoints.ReadAll();
        var bySequence = new Dictionary<long, List<AuditCheckpoint>>();
        foreach (var cp in cps.Where(checkpoints.IsValid))
        {
            if (!bySequence.TryGetValue(cp.Sequence, out var l)) bySequence[cp.Sequence] = l = [];
            l.Add(cp);
        }
        var latest = cps.Where(checkpoints.IsValid).MaxBy(c => (c.Sequence, c.CreatedAt));
        var latestMatches = false;
        var invalid = cps.FirstOrDefault(c => !checkpoints.IsValid(c));

        long expected = 1, checkedRows = 0;
        long? broken = null;
        string? problem = null;
        var prev = new byte[AuditHasher.HashSize];

        // The walk and the head read see one snapshot: a concurrent append must not look like a broken head.
        // Checkpoints were read above, before this snapshot, so none of them is ahead of it.
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await using (var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", conn, tx))
            await readOnly.ExecuteNonQueryAsync(ct);
        await using (var cmd = new NpgsqlCommand(Walk, conn, tx))
        await using (var r = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct))
        {
            while (await r.ReadAsync(ct))
            {
                var seq = r.GetInt64(0);
                var e = new AuditEvent
                {
                    Sequence = seq,
                    OccurredAt = r.GetFieldValue<DateTimeOffset>(1),
                    Actor = r.GetString(2),
                    ActorRole = r.GetString(3),
                    Action = r.GetString(4),
                    Target = r.GetString(5),
                    Details = r.GetString(6),
                    ClientAddress = r.IsDBNull(7) ? null : r.GetString(7),
                    Outcome = r.GetString(8),
                    PrevHash = r.GetFieldValue<byte[]>(9),
                    Hash = r.GetFieldValue<byte[]>(10),
                };
                checkedRows++;
                if (broken is null)
                {
                    if (seq != expected) (broken, problem) = (expected, $"sequence {expected} is missing");
                    else if (!e.PrevHash.AsSpan().SequenceEqual(prev)) (broken, problem) = (seq, "previous hash does not match the row before");
                    else if (!AuditHasher.Compute(e).AsSpan().SequenceEqual(e.Hash)) (broken, problem) = (seq, "row content does not match its hash");
                }
                if (bySequence.TryGetValue(seq, out var atSeq))
                {
                    foreach (var cp in atSeq)
                    {
                        var matches = cp.HeadHash == Convert.ToHexStringLower(e.Hash);
                        if (cp == latest) latestMatches = matches;
                        if (!matches && broken is null)
                            (broken, problem) = (seq, "the chain was rewritten: it no longer matches the signed checkpoint at this sequence");
                    }
                    bySequence.Remove(seq);
                }
                prev = e.Hash;
                expected = seq + 1;
            }
        }

        if (broken is null && bySequence.Count > 0)
        {
            var missing = bySequence.Keys.Min();
            (broken, problem) = (Math.Min(expected, missing), $"rows up to the checkpoint at sequence {missing} are missing");
        }
        if (broken is null && invalid is not null)
            problem = "a checkpoint file has an invalid signature";
        if (broken is null)
        {
            await using var head = new NpgsqlCommand("SELECT sequence, hash FROM audit_chain_head WHERE id = 1", conn, tx);
            await using var hr = await head.ExecuteReaderAsync(ct);
            if (await hr.ReadAsync(ct) && (hr.GetInt64(0) != expected - 1 || !hr.GetFieldValue<byte[]>(1).AsSpan().SequenceEqual(prev)))
                (broken, problem) = (Math.Min(hr.GetInt64(0), expected), "the chain head does not match the last row");
        }

        var status = latest is null ? null : new CheckpointStatus(latest.Sequence, latest.HeadHash, latest.CreatedAt, true, latestMatches);
        return new AuditVerification(broken is null && invalid is null, checkedRows, broken, problem, status);
    }
}
