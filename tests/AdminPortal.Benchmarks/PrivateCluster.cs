using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AdminPortal.Benchmarks;

/// <summary>
/// A throw-away PostgreSQL cluster in a temp dir, run as the <c>postgres</c> user (PostgreSQL refuses root).
/// Durability settings are PostgreSQL's defaults (fsync on, synchronous_commit on, full_page_writes on), so
/// every commit waits for its WAL flush, as in production. Stopped by the postmaster's PID.
/// </summary>
public sealed class PrivateCluster : IDisposable
{
    private readonly string _root;
    private readonly string _pgData;
    public int Port { get; }

    private PrivateCluster(string root, int port)
    {
        _root = root;
        _pgData = Path.Combine(root, "pgdata");
        Port = port;
    }

    public static string BinDirectory => Directory.GetDirectories("/usr/lib/postgresql")
        .Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().First();

    public static PrivateCluster Start()
    {
        var root = Path.Combine("/tmp", "adminportal-bench-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        var c = new PrivateCluster(root, FreePort());
        if (IsRoot) Run("chown", "-R", "postgres:postgres", root);
        AsPostgres("initdb", "-D", c._pgData, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale");
        AsPostgres("pg_ctl", "-D", c._pgData, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60", "-o",
            $"-p {c.Port} -c listen_addresses=127.0.0.1 -k {root} -c fsync=on -c synchronous_commit=on -c full_page_writes=on " +
            "-c max_connections=100 -c shared_buffers=256MB", "start");
        return c;
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username=postgres;Pooling=true;MaxPoolSize=40;Command Timeout=600";

    public string Setting(string name)
    {
        using var conn = new Npgsql.NpgsqlConnection(ConnectionString("postgres"));
        conn.Open();
        return (string)new Npgsql.NpgsqlCommand($"SHOW {name}", conn).ExecuteScalar()!;
    }

    public void Dispose()
    {
        var pidFile = Path.Combine(_pgData, "postmaster.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).First(), out var pid))
        {
            Run("kill", "-INT", pid.ToString()); // fast shutdown
            try
            {
                using var p = Process.GetProcessById(pid);
                p.WaitForExit(30_000);
            }
            catch (ArgumentException)
            {
                // already gone
            }
        }
        try { Directory.Delete(_root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static void AsPostgres(string program, params string[] args)
    {
        if (IsRoot) Run("runuser", ["-u", "postgres", "--", Path.Combine(BinDirectory, program), .. args]);
        else Run(Path.Combine(BinDirectory, program), args);
    }

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException($"{file} timed out"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {err.Result} {output.Result}");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
