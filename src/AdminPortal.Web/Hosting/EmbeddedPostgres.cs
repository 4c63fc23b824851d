using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace AdminPortal.Web.Hosting;

/// <summary>
/// The private PostgreSQL cluster the run command uses when no connection string is configured: created
/// with the machine's PostgreSQL binaries under the data directory, started on a free loopback port,
/// stopped with the portal, reused by the next run. PostgreSQL refuses to run as root, so as root every
/// PostgreSQL program runs as the <c>postgres</c> user.
/// </summary>
public sealed class EmbeddedPostgres(string dataDirectory, string binDirectory, ILogger logger)
{
    public const string Database = "adminportal";
    public const string AppLogin = "portal";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private string PgData => Path.Combine(dataDirectory, "postgres");
    private bool _startedHere;

    public int Port { get; private set; }
    public string SuperuserConnectionString { get; private set; } = "";
    public string AppConnectionString { get; private set; } = "";

    public static string FindBinDirectory(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        var root = "/usr/lib/postgresql";
        var candidates = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).ToList()
            : [];
        return candidates.FirstOrDefault() ?? throw new InvalidOperationException(
            "No PostgreSQL binaries found under /usr/lib/postgresql. Install PostgreSQL 15 or set Portal:PostgresBinDirectory, " +
            "or configure ConnectionStrings:Portal to use an existing server.");
    }

    public async Task StartAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(dataDirectory);
        var superPassword = ReadOrCreateSecret(Path.Combine(dataDirectory, "postgres-superuser.pwd"));
        var appPassword = ReadOrCreateSecret(Path.Combine(dataDirectory, "postgres-portal.pwd"));

        if (!File.Exists(Path.Combine(PgData, "PG_VERSION")))
            await InitAsync(superPassword, ct);

        var running = await PgCtlAsync(["status", "-D", PgData], ct);
        if (running.ExitCode == 0)
        {
            // Left running by a portal that crashed: the data directory is this portal's alone, so the cluster
            // is ours to stop at shutdown (otherwise it would run on forever, unowned).
            Port = ReadPortFromPidFile();
            _startedHere = true;
            logger.ClusterAdopted(Port);
        }
        else
        {
            Port = FreePort();
            var start = await PgCtlAsync(["start", "-D", PgData, "-w", "-t", "60", "-l", Path.Combine(PgData, "server.log"), "-o", $"-p {Port}"], ct);
            if (start.ExitCode != 0)
                throw new InvalidOperationException($"The private PostgreSQL cluster did not start: {start.StdErr.Trim()} {start.StdOut.Trim()} (see {PgData}/server.log)");
            _startedHere = true;
            logger.ClusterStarted(PgData, Port);
        }

        SuperuserConnectionString = ConnectionString("postgres", superPassword, Database);
        AppConnectionString = ConnectionString(AppLogin, appPassword, Database);
        await ProvisionAsync(superPassword, appPassword, ct);
    }

    public async Task StopAsync()
    {
        if (!_startedHere) return;
        _startedHere = false;
        var stop = await PgCtlAsync(["stop", "-D", PgData, "-m", "fast", "-w", "-t", "60"], CancellationToken.None);
        if (stop.ExitCode == 0) logger.ClusterStopped();
        else logger.ClusterStopFailed(stop.StdErr.Trim());
    }

    private async Task InitAsync(string superPassword, CancellationToken ct)
    {
        Directory.CreateDirectory(PgData);
        var pwFile = Path.Combine(dataDirectory, ".initdb-pw");
        File.Delete(pwFile);
        Data.SecretFiles.WriteNew(pwFile, superPassword + "\n");
        if (IsRoot)
        {
            await ChownAsync(PgData, ct);
            await ChownAsync(pwFile, ct);
            var access = await ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", "test", "-w", PgData], Timeout, ct);
            if (access.ExitCode != 0)
                throw new InvalidOperationException(
                    $"The postgres user cannot reach {PgData} (a parent folder is private). Set Portal:DataDirectory to a folder under a path others can traverse, e.g. /var/lib/adminportal.");
        }
        var init = await RunPgAsync("initdb", ["-D", PgData, "-U", "postgres", "-A", "scram-sha-256", $"--pwfile={pwFile}", "-E", "UTF8", "--no-locale"], ct);
        File.Delete(pwFile);
        if (init.ExitCode != 0) throw new InvalidOperationException($"initdb failed: {init.StdErr.Trim()}");
        await File.AppendAllTextAsync(Path.Combine(PgData, "postgresql.conf"),
            "\n# AdminPortal private cluster: loopback TCP only\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n", ct);
        logger.ClusterCreated(PgData);
    }

    private async Task ProvisionAsync(string superPassword, string appPassword, CancellationToken ct)
    {
        await using (var admin = new NpgsqlConnection(ConnectionString("postgres", superPassword, "postgres")))
        {
            await admin.OpenAsync(ct);
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", admin) { Parameters = { new() { Value = Database } } };
            if (await exists.ExecuteScalarAsync(ct) is null)
                await new NpgsqlCommand($"CREATE DATABASE {Database}", admin).ExecuteNonQueryAsync(ct);
            await using var roles = new NpgsqlCommand(
                "DO $$ BEGIN " +
                "IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'portal_app') THEN CREATE ROLE portal_app NOLOGIN; END IF; " +
                $"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{AppLogin}') THEN CREATE ROLE {AppLogin} LOGIN IN ROLE portal_app; END IF; " +
                "END $$", admin);
            await roles.ExecuteNonQueryAsync(ct);
            // The password comes from our own generated file; set it as a parameter-free literal safely quoted.
            await new NpgsqlCommand($"ALTER ROLE {AppLogin} PASSWORD '{appPassword.Replace("'", "''")}'", admin).ExecuteNonQueryAsync(ct);
        }
    }

    private string ConnectionString(string user, string password, string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = Port, Database = database, Username = user, Password = password,
    }.ConnectionString;

    private int ReadPortFromPidFile()
    {
        var lines = File.ReadAllLines(Path.Combine(PgData, "postmaster.pid"));
        return int.Parse(lines[3].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static string ReadOrCreateSecret(string path)
    {
        if (File.Exists(path)) return File.ReadAllText(path).Trim();
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        Data.SecretFiles.WriteNew(path, secret + "\n");
        return secret;
    }

    private static bool IsRoot => Environment.UserName == "root";

    private Task<ProcessResult> PgCtlAsync(string[] args, CancellationToken ct) => RunPgAsync("pg_ctl", args, ct);

    private Task<ProcessResult> RunPgAsync(string program, string[] args, CancellationToken ct)
    {
        var exe = Path.Combine(binDirectory, program);
        return IsRoot
            ? ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", exe, .. args], Timeout, ct)
            : ProcessRunner.RunAsync(exe, args, Timeout, ct);
    }

    private static Task<ProcessResult> ChownAsync(string path, CancellationToken ct) =>
        ProcessRunner.RunAsync("chown", ["-R", "postgres:postgres", path], Timeout, ct);
}

internal static partial class EmbeddedPostgresLog
{
    [LoggerMessage(LogLevel.Information, "Adopted the private PostgreSQL cluster already running on port {Port}")]
    public static partial void ClusterAdopted(this ILogger logger, int port);

    [LoggerMessage(LogLevel.Information, "Started the private PostgreSQL cluster in {PgData} on 127.0.0.1:{Port}")]
    public static partial void ClusterStarted(this ILogger logger, string pgData, int port);

    [LoggerMessage(LogLevel.Information, "Stopped the private PostgreSQL cluster")]
    public static partial void ClusterStopped(this ILogger logger);

    [LoggerMessage(LogLevel.Warning, "Stopping the private PostgreSQL cluster failed: {Error}")]
    public static partial void ClusterStopFailed(this ILogger logger, string error);

    [LoggerMessage(LogLevel.Information, "Created a private PostgreSQL cluster in {PgData}")]
    public static partial void ClusterCreated(this ILogger logger, string pgData);
}
