using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace AdminPortal.Tests.Infrastructure;

/// <summary>
/// One private PostgreSQL 15 cluster for the whole test run (fsync off, loopback only), started on first
/// use and stopped by its PID when the test process exits. Each test class gets its own database.
/// </summary>
public sealed class PostgresServer
{
    private static readonly Lazy<PostgresServer> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);
    public static PostgresServer Instance => Shared.Value;

    public const string AppLogin = "portal";
    public int Port { get; }
    public string Root { get; }
    private readonly string _pgData;

    private PostgresServer(string root, int port)
    {
        Root = root;
        Port = port;
        _pgData = Path.Combine(root, "pgdata");
    }

    public static string BinDirectory => Directory.GetDirectories("/usr/lib/postgresql")
        .Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().First();

    private static PostgresServer Start()
    {
        var root = Path.Combine(Path.GetTempPath(), $"adminportal-tests-{Environment.ProcessId}-{Guid.NewGuid():N}"[..48]);
        Directory.CreateDirectory(root);
        var server = new PostgresServer(root, FreePort());
        if (IsRoot) Run("chown", "-R", "postgres:postgres", root);
        AsPostgres("initdb", "-D", server._pgData, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "-N");
        AsPostgres("pg_ctl", "-D", server._pgData, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60", "-o",
            $"-p {server.Port} -c listen_addresses=127.0.0.1 -k {root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
            "start");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        server.StartWatchdog();
        server.Execute("CREATE ROLE portal_app NOLOGIN; CREATE ROLE portal LOGIN PASSWORD 'portal' IN ROLE portal_app;");
        return server;
    }

    /// <summary>Stops the cluster by the postmaster's PID and removes its files.</summary>
    public void Stop()
    {
        var pidFile = Path.Combine(_pgData, "postmaster.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).First(), out var pid))
        {
            Signal("INT", pid); // fast shutdown
            // The postmaster is not our child, so poll for it to be gone (bounded).
            for (var i = 0; i < 200 && IsAlive(pid); i++) Thread.Sleep(50);
            if (IsAlive(pid)) Signal("KILL", pid);
        }
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// The test host may end without running ProcessExit handlers (VSTest kills it), so a detached watchdog
    /// stops the cluster by its PID and removes its files once the test process is gone.
    /// </summary>
    private void StartWatchdog()
    {
        var script = $$"""
            while kill -0 {{Environment.ProcessId}} 2>/dev/null; do sleep 1; done
            pid=$(head -1 '{{_pgData}}/postmaster.pid' 2>/dev/null) && kill -INT "$pid" 2>/dev/null
            for i in $(seq 1 100); do [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            rm -rf '{{Root}}'
            """;
        // Backgrounded from a throw-away shell, so it is re-parented and not killed with the test host's process tree.
        var psi = new ProcessStartInfo("setsid") { UseShellExecute = false };
        foreach (var a in (string[])["bash", "-c", $"( {script} ) </dev/null >/dev/null 2>&1 &"]) psi.ArgumentList.Add(a);
        using var shell = Process.Start(psi)!;
        shell.WaitForExit();
    }

    // A zombie (state Z) has exited: PID 1 here does not always reap.
    private static bool IsAlive(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1][0] != 'Z'; }
        catch (IOException) { return false; }
    }

    private static void Signal(string signal, int pid)
    {
        try { Run("kill", $"-{signal}", pid.ToString()); }
        catch (InvalidOperationException) { } // already gone
    }

    public string ConnectionString(string database, string user = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = Port, Database = database, Username = user, Password = user == AppLogin ? "portal" : null,
        Pooling = true, MaxPoolSize = 60, Timeout = 30, CommandTimeout = 120,
    }.ConnectionString;

    /// <summary>A new empty database (not migrated).</summary>
    public string CreateDatabase(string prefix = "t")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..30].ToLowerInvariant();
        Execute($"CREATE DATABASE {name}");
        return name;
    }

    public void Execute(string sql, string database = "postgres")
    {
        using var conn = new NpgsqlConnection(ConnectionString(database));
        conn.Open();
        using var cmd = new NpgsqlCommand(sql, conn);
        cmd.ExecuteNonQuery();
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static bool IsRoot => Environment.UserName == "root";

    // PostgreSQL refuses to run as root.
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
        if (!p.WaitForExit(90_000)) { p.Kill(true); throw new TimeoutException($"{file} timed out"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {err.Result} {output.Result}");
    }
}
