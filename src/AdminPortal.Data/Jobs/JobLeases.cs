using Npgsql;

namespace AdminPortal.Data.Jobs;

/// <summary>
/// Claims a job's period atomically in the database, so a scheduled job runs once per period however many
/// portal instances share the database.
/// </summary>
public sealed class JobLeases(NpgsqlDataSource dataSource, TimeProvider time)
{
    private const string Claim =
        "INSERT INTO job_runs (\"Name\", \"LastRunAt\", \"LastInstance\") VALUES ($1, $2, $3) " +
        "ON CONFLICT (\"Name\") DO UPDATE SET \"LastRunAt\" = EXCLUDED.\"LastRunAt\", \"LastInstance\" = EXCLUDED.\"LastInstance\", \"LastError\" = NULL " +
        "WHERE job_runs.\"LastRunAt\" <= $4 RETURNING 1";

    public static readonly string InstanceId = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>The time of the claim when this instance won the run for the period that is due now; null when it did not.</summary>
    public async Task<DateTimeOffset?> TryClaimAsync(string job, TimeSpan period, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var cmd = dataSource.CreateCommand(Claim);
        cmd.Parameters.Add(new() { Value = job });
        cmd.Parameters.Add(new() { Value = now });
        cmd.Parameters.Add(new() { Value = InstanceId });
        cmd.Parameters.Add(new() { Value = now - period });
        return await cmd.ExecuteScalarAsync(ct) is not null ? now : null;
    }

    public async Task RecordErrorAsync(string job, string error, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("UPDATE job_runs SET \"LastError\" = $2 WHERE \"Name\" = $1");
        cmd.Parameters.Add(new() { Value = job });
        cmd.Parameters.Add(new() { Value = error.Length > 2000 ? error[..2000] : error });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
