using AdminPortal.Testing;

namespace AdminPortal.Tests.Scale;

/// <summary>
/// A hot standby of a test cluster, streaming from it (<c>pg_basebackup -R</c>), on its own loopback port, run as
/// the postgres user; it can be promoted (what Patroni does on a failover). Stopped by its postmaster's PID, and by a
/// watchdog if the test host dies first.
/// </summary>
public sealed class StandbyCluster : IDisposable
{
    public int Port { get; }
    private readonly string _root;
    private string PgData => Path.Combine(_root, "pgdata");

    private StandbyCluster(string root, int port) => (_root, Port) = (root, port);

    public static StandbyCluster Of(PostgresCluster primary)
    {
        var root = Path.Combine("/tmp", $"ap-standby-{Guid.NewGuid():N}"[..23]);
        Directory.CreateDirectory(root);
        var standby = new StandbyCluster(root, PostgresCluster.FreePort());
        PostgresCluster.Run("chown", "-R", "postgres:postgres", root);
        PostgresCluster.AsPostgres("pg_basebackup", "-D", standby.PgData, "-h", "127.0.0.1", "-p", primary.Port.ToString(), "-U", "postgres", "-R", "-X", "stream");
        PostgresCluster.AsPostgres("pg_ctl", "-D", standby.PgData, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60",
            "-o", $"-p {standby.Port} -c listen_addresses=127.0.0.1 -k {root} -c hot_standby=on", "start");
        Processes.StartWatchdog(root, $"pid=$(head -1 '{standby.PgData}/postmaster.pid' 2>/dev/null) && kill -INT \"$pid\" 2>/dev/null; sleep 2");
        return standby;
    }

    /// <summary>Makes it the primary (waits until it accepts writes).</summary>
    public void Promote() => PostgresCluster.AsPostgres("pg_ctl", "-D", PgData, "-w", "-t", "60", "promote");

    public static int PostmasterPid(string pgData) => int.Parse(File.ReadLines(Path.Combine(pgData, "postmaster.pid")).First().Trim());

    public void Dispose()
    {
        if (File.Exists(Path.Combine(PgData, "postmaster.pid"))) Processes.Stop(PostmasterPid(PgData), "INT");
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
