using AdminPortal.Testing;

namespace AdminPortal.Tests.Infrastructure;

/// <summary>
/// One private PostgreSQL 15 cluster for the whole test run (fsync off, loopback only), started on first
/// use and stopped by its PID when the test process is gone. Each test class gets its own database; the
/// application connects as the login <c>portal</c>, a member of <c>portal_app</c>.
/// </summary>
public sealed class PostgresServer
{
    private static readonly Lazy<PostgresServer> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);
    public static PostgresServer Instance => Shared.Value;

    public const string AppLogin = "portal";
    private readonly PostgresCluster _cluster;

    private PostgresServer(PostgresCluster cluster) => _cluster = cluster;

    public int Port => _cluster.Port;

    private static PostgresServer Start()
    {
        // Registered before the cluster's own exit handler (which stops it): the secrets scan reads every test database's audit trail.
        PostgresServer? started = null;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => started?.DumpAuditEvents();
        var cluster = PostgresCluster.Start("adminportal-tests",
            "fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=300");
        cluster.CreatePortalRoles();
        return started = new PostgresServer(cluster);
    }

    /// <summary>At the end of the run, every database's trail (the fixtures dump their own when disposed; this adds the rest).</summary>
    private void DumpAuditEvents()
    {
        try
        {
            SecretsScan.ScanArtifacts.DumpAuditEvents(db => ConnectionString(db));
        }
        catch (Npgsql.NpgsqlException e)
        {
            Console.Error.WriteLine($"Secrets scan: could not list the test databases: {e.Message}");
        }
    }

    public string ConnectionString(string database, string user = "postgres") =>
        _cluster.ConnectionString(database, user, user == AppLogin ? "portal" : null);

    /// <summary>A new empty database (not migrated).</summary>
    public string CreateDatabase(string prefix = "t")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..30].ToLowerInvariant();
        Execute($"CREATE DATABASE {name}");
        return name;
    }

    public void Execute(string sql, string database = "postgres") => _cluster.Execute(sql, database);
}
