using AdminPortal.Data.Audit;
using Npgsql;

namespace AdminPortal.Web.Audit;

/// <summary>Verification and checkpoints of the audit chain, each recorded on the chain itself.</summary>
public sealed class AuditIntegrity(
    NpgsqlDataSource dataSource, AuditVerifier verifier, AuditCheckpoints checkpoints, AuditedWork work, TimeProvider time)
{
    public async Task<AuditVerification> VerifyAsync(AuditActor actor, CancellationToken ct)
    {
        var result = await verifier.VerifyAsync(dataSource, ct);
        await work.RecordAsync(new AuditEntry(actor, "audit.chain.verified", "audit",
            new { result.Ok, result.Checked, result.FirstBrokenSequence, result.Problem },
            result.Ok ? AuditOutcome.Success : AuditOutcome.Failure), ct);
        return result;
    }

    /// <summary>Signs the current head and writes the checkpoint outside the database.</summary>
    public async Task<AuditCheckpoint> CheckpointAsync(AuditActor actor, CancellationToken ct)
    {
        // Record the checkpoint event first, then sign the head that includes it. Once the event is recorded the rest
        // is not cancelled (a shutdown, a client gone): an event saying a checkpoint was made must have its signed file.
        await work.RecordAsync(new AuditEntry(actor, "audit.checkpoint.created", "audit"), ct);
        var none = CancellationToken.None;
        await using var conn = await dataSource.OpenConnectionAsync(none);
        long seq;
        byte[] hash;
        await using (var cmd = new NpgsqlCommand("SELECT sequence, hash FROM audit_chain_head WHERE id = 1", conn))
        await using (var r = await cmd.ExecuteReaderAsync(none))
        {
            await r.ReadAsync(none);
            (seq, hash) = (r.GetInt64(0), r.GetFieldValue<byte[]>(1));
        }
        // The head read may include other writers' commits not yet flushed: sign only what is durable.
        await AuditLog.WaitDurableAsync(conn, none);
        return await checkpoints.WriteAsync(seq, hash, time.GetUtcNow(), none);
    }

    public AuditCheckpoint? Latest() => checkpoints.ReadAll().Where(checkpoints.IsValid).MaxBy(c => (c.Sequence, c.CreatedAt));
}
