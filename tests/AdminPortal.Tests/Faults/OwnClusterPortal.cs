using AdminPortal.Testing;
using AdminPortal.Tests.Infrastructure;
using Npgsql;

namespace AdminPortal.Tests.Faults;

/// <summary>
/// The portal in-process on a PostgreSQL cluster of its own (so a test may stop and restart it without disturbing the
/// other tests' shared cluster): fsync off as everywhere in tests, but synchronous_commit at its default (on), so that a
/// success the portal reports has been written out as in production. Roles as on the shared cluster.
/// </summary>
public sealed class OwnClusterPortal : PortalApp
{
    public PostgresCluster Cluster { get; }
    private readonly string _dataDirectory;

    public OwnClusterPortal() : this(StartCluster()) { }

    private OwnClusterPortal(PostgresCluster cluster) : this(cluster, NewDirectory()) { }

    private OwnClusterPortal(PostgresCluster cluster, string dataDirectory) : base("adminportal", dataDirectory)
    {
        Cluster = cluster;
        _dataDirectory = dataDirectory;
    }

    public string OwnAppConnectionString => Cluster.ConnectionString(Database, PostgresServer.AppLogin, "portal");
    public string OwnSuperuserConnectionString => Cluster.ConnectionString(Database);

    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
        [new("ConnectionStrings:Portal", OwnAppConnectionString), new("ConnectionStrings:PortalMigrations", OwnSuperuserConnectionString)];

    /// <summary>Runs a query as the superuser on a connection of its own (not pooled).</summary>
    public async Task<List<object?[]>> QueryAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(OwnSuperuserConnectionString + ";Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    private static PostgresCluster StartCluster()
    {
        var cluster = PostgresCluster.Start("adminportal-faults", "fsync=off", "full_page_writes=off", "max_connections=200");
        cluster.CreatePortalRoles("adminportal");
        return cluster;
    }

    private static string NewDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "adminportal-faults-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        Cluster.Dispose();
        try { Directory.Delete(_dataDirectory, true); } catch (IOException) { }
    }
}
