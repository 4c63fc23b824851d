using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace AdminPortal.Testing;

/// <summary>
/// A throw-away PostgreSQL cluster under /tmp for tests and benchmarks (compiled into both projects):
/// initdb and the server run as the <c>postgres</c> user when we are root (PostgreSQL refuses root),
/// loopback only, stopped by the postmaster's PID, and by a detached watchdog if this process dies first.
/// </summary>
public sealed class PostgresCluster : IDisposable
{
    public int Port { get; }
    public string Root { get; }
    public string DataDirectory => _pgData;
    private readonly string _pgData;

    private PostgresCluster(string root, int port)
    {
        Root = root;
        Port = port;
        _pgData = Path.Combine(root, "pgdata");
    }

    public static string BinDirectory => Directory.GetDirectories("/usr/lib/postgresql")
        .Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().First();

    /// <summary>Creates and starts a cluster; <paramref name="settings"/> are extra <c>-c name=value</c> pairs.</summary>
    public static PostgresCluster Start(string name, params string[] settings)
    {
        var root = Path.Combine("/tmp", $"{name}-{Environment.ProcessId}-{Guid.NewGuid():N}"[..(name.Length + 20)]);
        Directory.CreateDirectory(root);
        var cluster = new PostgresCluster(root, FreePort());
        if (IsRoot) Run("chown", "-R", "postgres:postgres", root);
        AsPostgres("initdb", "-D", cluster._pgData, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "-N");
        var options = $"-p {cluster.Port} -c listen_addresses=127.0.0.1 -k {root} " + string.Join(' ', settings.Select(s => $"-c {s}"));
        cluster._options = options;
        cluster.StartServer();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Dispose();
        cluster.StartWatchdog();
        return cluster;
    }

    private string _options = "";

    private void StartServer() =>
        AsPostgres("pg_ctl", "-D", _pgData, "-l", Path.Combine(Root, "server.log"), "-w", "-t", "60", "-o", _options, "start");

    /// <summary>The postmaster's PID (from postmaster.pid), or null when it is not running.</summary>
    public int? PostmasterPid()
    {
        var pidFile = Path.Combine(_pgData, "postmaster.pid");
        try { return int.TryParse(File.ReadLines(pidFile).First(), out var pid) && Processes.IsAlive(pid) ? pid : null; }
        catch (IOException) { return null; }
    }

    /// <summary>
    /// Stops the server by its postmaster's PID (INT: fast shutdown, sessions ended; QUIT: immediate, like a crash)
    /// and waits (bounded) until it is gone; <see cref="StartAgain"/> brings it back on the same port and data.
    /// </summary>
    public void Stop(string signal)
    {
        if (PostmasterPid() is { } pid) Processes.Stop(pid, signal, waitMs: 30_000);
    }

    public void StartAgain() => StartServer();

    public string ConnectionString(string database, string user = "postgres", string? password = null, int maxPoolSize = 60) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = Port, Database = database, Username = user, Password = password,
            Pooling = true, MaxPoolSize = maxPoolSize, Timeout = 30, CommandTimeout = 600,
        }.ConnectionString;

    /// <summary>
    /// The portal's roles as deploying creates them (src/AdminPortal.Web/Deploy/postgres-init.sh): portal_app, which
    /// the migrations grant to, and the login portal (password portal) in it; and, when named, an empty database.
    /// </summary>
    public void CreatePortalRoles(string? database = null)
    {
        Execute("CREATE ROLE portal_app NOLOGIN; CREATE ROLE portal LOGIN PASSWORD 'portal' IN ROLE portal_app;");
        if (database is not null) Execute($"CREATE DATABASE {database}");
    }

    public void Execute(string sql, string database = "postgres")
    {
        using var conn = new NpgsqlConnection(ConnectionString(database));
        conn.Open();
        using var cmd = new NpgsqlCommand(sql, conn);
        cmd.ExecuteNonQuery();
    }

    public string Setting(string name)
    {
        using var conn = new NpgsqlConnection(ConnectionString("postgres"));
        conn.Open();
        using var cmd = new NpgsqlCommand($"SHOW {name}", conn);
        return (string)cmd.ExecuteScalar()!;
    }

    /// <summary>Fast shutdown by the postmaster's PID, then the files go.</summary>
    public void Dispose()
    {
        if (PostmasterPid() is { } pid) Processes.Stop(pid, "INT"); // alive, not a stale pid file's number
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private void StartWatchdog() => Processes.StartWatchdog(Root, $"""
        pid=$(head -1 '{_pgData}/postmaster.pid' 2>/dev/null) && kill -INT "$pid" 2>/dev/null
        for i in $(seq 1 100); do [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        """);

    private static bool IsRoot => Environment.UserName == "root";

    internal static void AsPostgres(string program, params string[] args)
    {
        if (IsRoot) Run("runuser", ["-u", "postgres", "--", Path.Combine(BinDirectory, program), .. args]);
        else Run(Path.Combine(BinDirectory, program), args);
    }

    internal static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException($"{file} timed out"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {err.Result} {output.Result}");
    }

    internal static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
