using AdminPortal.Data.Audit;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AdminPortal.Tests.Faults;

/// <summary>
/// A change whose database connection is killed while its transaction is open (here by pg_terminate_backend on the
/// real server) commits nothing, and its error is one the API answers as "database unavailable" (503), not a 500.
/// </summary>
public sealed class ConnectionLostTests(PortalApp app) : IClassFixture<PortalApp>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_change_whose_connection_dies_mid_transaction_commits_nothing_and_reads_as_database_unavailable(bool swallowFirstError)
    {
        var target = $"conn-lost:{Guid.NewGuid():N}";
        var error = await Record.ExceptionAsync(() => app.Service<AuditedWork>().RunAsync<bool>(async (_, db, ct) =>
        {
            var pid = await db.Database.SqlQueryRaw<int>("SELECT pg_backend_pid() AS \"Value\"").SingleAsync(ct);
            await using (var su = new NpgsqlConnection(app.SuperuserConnectionString))
            {
                await su.OpenAsync(ct);
                await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend($1)", su) { Parameters = { new() { Value = pid } } };
                await kill.ExecuteScalarAsync(ct);
            }
            if (swallowFirstError)
            {
                // Work that handles a failed query itself (a lookup with a fallback) and goes on: the next step finds
                // the transaction already completed by Npgsql, which is a lost connection too.
                try { await db.Database.ExecuteSqlRawAsync("SELECT 1", ct); }
                catch (PostgresException) { }
            }
            return (true, new AuditEntry(AuditActor.System, "test.connection_lost", target));
        }, CancellationToken.None));

        Assert.NotNull(error);
        if (swallowFirstError) Assert.IsType<DatabaseConnectionLostException>(error);
        Assert.True(DatabaseUnavailableHandler.IsDatabaseUnavailable(error), $"{error.GetType().Name}: {error.Message}");
        await using var check = await app.DbAsync();
        Assert.False(await check.AuditEvents.AnyAsync(e => e.Target == target));
    }
}
