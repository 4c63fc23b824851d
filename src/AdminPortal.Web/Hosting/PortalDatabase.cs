using AdminPortal.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AdminPortal.Web.Hosting;

/// <summary>
/// Decides which PostgreSQL the portal uses before anything else starts: the configured server
/// (<c>ConnectionStrings:Portal</c>, migrations with <c>ConnectionStrings:PortalMigrations</c> when given),
/// or, outside Production, a private cluster under the data directory.
/// </summary>
public sealed class PortalDatabase
{
    public required string AppConnectionString { get; init; }
    public required string MigrationsConnectionString { get; init; }
    public EmbeddedPostgres? Embedded { get; init; }

    public static async Task<PortalDatabase> ResolveAsync(IConfiguration config, IHostEnvironment env, ILogger logger, CancellationToken ct)
    {
        var app = config.GetConnectionString("Portal");
        if (!string.IsNullOrWhiteSpace(app))
        {
            var migrations = config.GetConnectionString("PortalMigrations");
            return new PortalDatabase { AppConnectionString = app, MigrationsConnectionString = string.IsNullOrWhiteSpace(migrations) ? app : migrations };
        }
        if (env.IsProduction())
            throw new StartupException(
                "No database configured: set ConnectionStrings__Portal (and ConnectionStrings__PortalMigrations for the schema owner). " +
                "The private PostgreSQL cluster is only for development and evaluation, never in Production.");

        var options = config.GetSection(PortalOptions.Section).Get<PortalOptions>() ?? new PortalOptions();
        var pg = new EmbeddedPostgres(options.ResolveDataDirectory(), EmbeddedPostgres.FindBinDirectory(options.PostgresBinDirectory), logger);
        await pg.StartAsync(ct);
        return new PortalDatabase { AppConnectionString = pg.AppConnectionString, MigrationsConnectionString = pg.SuperuserConnectionString, Embedded = pg };
    }

    /// <summary>
    /// A connection string for a long-lived LISTEN connection: outside the pool (it is held for the instance's life),
    /// with TCP keep-alive every 10 s so a dead server or a failover is noticed even when no notification comes, and
    /// named so it can be told apart in pg_stat_activity.
    /// </summary>
    public string ListenerConnectionString(string applicationName) =>
        new NpgsqlConnectionStringBuilder(AppConnectionString) { Pooling = false, KeepAlive = 10, ApplicationName = applicationName }.ConnectionString;

    /// <summary>
    /// Applies pending migrations as the schema owner; returns the names applied. Instances starting together on
    /// an empty database take turns (EF Core's own migration lock did not stop two of them from running the first
    /// migration's functions twice, and one crashed); the next one in finds nothing pending.
    /// </summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken ct)
    {
        // Outside the pool: the lock belongs to the session, which ends (and lets go) with this connection.
        await using var guard = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(MigrationsConnectionString) { Pooling = false }.ConnectionString);
        await guard.OpenAsync(ct);
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({AdvisoryLocks.Migrations})", guard)) await take.ExecuteNonQueryAsync(ct);
        await using var db = new PortalDbContext(PortalDb.Configure(new DbContextOptionsBuilder<PortalDbContext>(), MigrationsConnectionString).Options);
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count > 0) await db.Database.MigrateAsync(ct);
        return pending;
    }
}

/// <summary>A start-up failure with a message for the operator (no stack trace needed).</summary>
public sealed class StartupException(string message) : Exception(message);
