using System.Net;
using System.Net.Sockets;
using AdminPortal.Testing;
using Npgsql;

namespace AdminPortal.Tests.Cli;

/// <summary>The run command with no connection string: a private PostgreSQL cluster under the data directory.</summary>
public sealed class RunCommandTests
{
    // Creating the private cluster, migrating and starting took over 45 s when the 2-core machine ran several suites at once.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task Without_a_database_it_creates_a_private_cluster_stops_it_on_sigterm_and_reuses_it_next_time()
    {
        using var dir = new PrivateDataDirectory("run");
        var (data, pgData, port, env) = (dir.Data, dir.PgData, dir.Port, dir.Env);
        await using (var first = PortalProcess.Start([], env))
        {
            Assert.Contains("/account/setup/", await first.WaitForLineAsync(l => l.Contains("/account/setup/"), StartTimeout));
            await WaitHealthyAsync(first, port);
            Assert.Contains("Created a private PostgreSQL cluster", first.StdOut);
            using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") })
                Assert.False((await http.GetAsync("/healthz")).Headers.Contains("Server"), "the real server (Kestrel) must not name itself");
            var postmaster = PostmasterPid(pgData);
            Assert.True(IsAlive(postmaster));
            await using (var conn = await SuperuserAsync(data, pgData))
                await new NpgsqlCommand("CREATE TABLE run_marker (note text); INSERT INTO run_marker VALUES ('kept')", conn).ExecuteNonQueryAsync();

            first.Terminate();
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.False(File.Exists(Path.Combine(pgData, "postmaster.pid")), "the cluster is still running");
            Assert.False(IsAlive(postmaster), $"postmaster {postmaster} is still alive");
        }

        var initializedAt = File.GetLastWriteTimeUtc(Path.Combine(pgData, "PG_VERSION"));
        await using (var second = PortalProcess.Start([], env))
        {
            await WaitHealthyAsync(second, port);
            Assert.DoesNotContain("Created a private PostgreSQL cluster", second.StdOut);
            Assert.Equal(initializedAt, File.GetLastWriteTimeUtc(Path.Combine(pgData, "PG_VERSION")));
            await using (var conn = await SuperuserAsync(data, pgData))
                Assert.Equal("kept", await new NpgsqlCommand("SELECT note FROM run_marker", conn).ExecuteScalarAsync());
            second.Terminate();
            Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.False(File.Exists(Path.Combine(pgData, "postmaster.pid")), "the cluster is still running after the second run");
        }
    }

    [Fact]
    public async Task A_cluster_left_running_by_a_crashed_portal_is_adopted_and_stopped_by_the_next_one()
    {
        using var dir = new PrivateDataDirectory("crash");
        var (pgData, port, env) = (dir.PgData, dir.Port, dir.Env);
        int postmaster;
        await using (var crashed = PortalProcess.Start([], env))
        {
            await WaitHealthyAsync(crashed, port);
            postmaster = PostmasterPid(pgData);
            Processes.Signal("KILL", crashed.Pid);
            await crashed.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }
        Assert.True(IsAlive(postmaster), "the crash should have left the cluster running");

        await using var next = PortalProcess.Start([], env);
        await WaitHealthyAsync(next, port);
        Assert.Equal(postmaster, PostmasterPid(pgData));
        next.Terminate();
        Assert.Equal(0, await next.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        Assert.False(IsAlive(postmaster), $"postmaster {postmaster} is still alive");
    }

    [Fact]
    public async Task In_production_without_a_database_it_refuses_to_start()
    {
        var data = Path.Combine(Path.GetTempPath(), "adminportal-prod-" + Guid.NewGuid().ToString("N")[..12]);
        await using var p = PortalProcess.Start([], new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Portal__DataDirectory"] = data,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort()}",
        });
        Assert.NotEqual(0, await p.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("No database configured", p.StdErr);
        Assert.Contains("ConnectionStrings__Portal", p.StdErr);
        Assert.False(Directory.Exists(Path.Combine(data, "postgres")));
    }

    internal static async Task WaitHealthyAsync(PortalProcess p, int port, TimeSpan? timeout = null)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + (timeout ?? StartTimeout);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var r = await http.GetAsync("/healthz");
                if (r.StatusCode == HttpStatusCode.OK && await r.Content.ReadAsStringAsync() == "Healthy") return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // slow answer; try again
            }
            if (p.StdErr.Contains("Unhandled exception") || p.StdErr.Contains("cannot start")) break;
            await Task.Delay(200);
        }
        throw new TimeoutException($"/healthz on port {port} never answered Healthy.\nstdout:\n{p.StdOut}\nstderr:\n{p.StdErr}");
    }

    private static async Task<NpgsqlConnection> SuperuserAsync(string data, string pgData)
    {
        var port = int.Parse(File.ReadAllLines(Path.Combine(pgData, "postmaster.pid"))[3].Trim());
        var password = File.ReadAllText(Path.Combine(data, "postgres-superuser.pwd")).Trim();
        var conn = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Database=adminportal;Username=postgres;Password={password};Pooling=false");
        await conn.OpenAsync();
        return conn;
    }

    private static int PostmasterPid(string pgData) => int.Parse(File.ReadLines(Path.Combine(pgData, "postmaster.pid")).First().Trim());

    private static bool IsAlive(int pid) => Processes.IsAlive(pid);

    /// <summary>
    /// A data directory for one run-command test (under /tmp, so the postgres user can traverse to it), the
    /// environment that points the portal at it, and cleanup: a cluster left by a failed run is stopped by its PID.
    /// </summary>
    private sealed class PrivateDataDirectory : IDisposable
    {
        public string Data { get; }
        public string PgData => Path.Combine(Data, "postgres");
        public int Port { get; } = FreePort();
        public Dictionary<string, string> Env => new()
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Portal__DataDirectory"] = Data,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Port}",
        };

        public PrivateDataDirectory(string name)
        {
            Data = Path.Combine("/tmp", $"adminportal-{name}-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(Data);
        }

        public void Dispose()
        {
            if (File.Exists(Path.Combine(PgData, "postmaster.pid"))) Processes.Stop(PostmasterPid(PgData), "INT");
            try { Directory.Delete(Data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
