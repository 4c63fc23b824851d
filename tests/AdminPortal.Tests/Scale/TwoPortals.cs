using System.Net.Http.Headers;
using AdminPortal.Testing;
using AdminPortal.Tests.Cli;
using AdminPortal.Tests.Infrastructure;
using Npgsql;

namespace AdminPortal.Tests.Scale;

/// <summary>
/// Two real portal processes (the built AdminPortal.dll, as a service manager runs it) on ONE fresh database of
/// the test cluster and one data directory (the shared volume: master key, checkpoint key and checkpoints), each
/// listening on its own port, started at the same moment (so they also race for the migrations and the first
/// Data Protection key). Disposing stops both by PID and deletes the data directory.
/// </summary>
public sealed class TwoPortals : IAsyncDisposable
{
    /// <summary>The test classes that start two portal processes run one after the other (the machine has two cores).</summary>
    public const string Collection = "Two portal processes";

    internal static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);

    public string Database { get; }
    public string DataDirectory { get; }
    public string AppConnectionString { get; }
    public string SuperuserConnectionString { get; }
    public PortalProcess A { get; private set; } = null!;
    public PortalProcess B { get; private set; } = null!;
    public Uri UrlA { get; }
    public Uri UrlB { get; }
    private readonly Dictionary<string, string> _env;

    private TwoPortals(IReadOnlyDictionary<string, string> settings)
    {
        var pg = PostgresServer.Instance;
        Database = pg.CreateDatabase("scale");
        // Each instance's pool stays well under the test cluster's max_connections (300, shared with other tests).
        AppConnectionString = pg.ConnectionString(Database, PostgresServer.AppLogin) + ";Maximum Pool Size=50";
        SuperuserConnectionString = pg.ConnectionString(Database);
        DataDirectory = Path.Combine("/tmp", "adminportal-scale-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(DataDirectory);
        (UrlA, UrlB) = (new Uri($"http://127.0.0.1:{PostgresCluster.FreePort()}"), new Uri($"http://127.0.0.1:{PostgresCluster.FreePort()}"));
        _env = new Dictionary<string, string>(settings)
        {
            ["ConnectionStrings__Portal"] = AppConnectionString,
            ["ConnectionStrings__PortalMigrations"] = SuperuserConnectionString,
            ["Portal__DataDirectory"] = DataDirectory,
            ["Portal__PublicUrl"] = "http://portal.example.test",
        };
    }

    /// <summary>Starts both instances at once and returns when both answer /healthz.</summary>
    public static async Task<TwoPortals> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var portals = new TwoPortals(settings ?? new Dictionary<string, string>());
        try
        {
            portals.A = PortalProcess.Start([], portals.Env(portals.UrlA));
            portals.B = PortalProcess.Start([], portals.Env(portals.UrlB));
            await Task.WhenAll(RunCommandTests.WaitHealthyAsync(portals.A, portals.UrlA.Port, StartTimeout), RunCommandTests.WaitHealthyAsync(portals.B, portals.UrlB.Port, StartTimeout));
            return portals;
        }
        catch
        {
            await portals.DisposeAsync();
            throw;
        }
    }

    private Dictionary<string, string> Env(Uri url) => new(_env) { ["ASPNETCORE_URLS"] = url.ToString().TrimEnd('/') };

    /// <summary>A new API token of the role, made with the CLI (a third process on the same database).</summary>
    public async Task<string> CreateTokenAsync(string role)
    {
        var cli = await PortalProcess.RunAsync(_env, "token", "create", "--name", $"scale-{Guid.NewGuid():N}"[..20], "--role", role);
        Assert.True(cli.ExitCode == 0, cli.StdErr);
        return cli.StdOutLines[^1].Trim();
    }

    public static HttpClient TokenClient(Uri url, string token)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = url,
            Timeout = TimeSpan.FromSeconds(120),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<NpgsqlConnection> SuperuserAsync()
    {
        var conn = new NpgsqlConnection(SuperuserConnectionString);
        await conn.OpenAsync();
        return conn;
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var conn = await SuperuserAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)Convert.ChangeType((await cmd.ExecuteScalarAsync())!, typeof(T));
    }

    /// <summary>Asks both to stop (SIGTERM) and waits, so that their output is complete.</summary>
    public async Task StopAsync()
    {
        A.Terminate();
        B.Terminate();
        await Task.WhenAll(A.WaitForExitAsync(TimeSpan.FromSeconds(30)), B.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    public async ValueTask DisposeAsync()
    {
        if (A is not null) await A.DisposeAsync();
        if (B is not null) await B.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
