using System.Net.Http.Headers;
using AdminPortal.Tests.Cli;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Tests.Peers;

namespace AdminPortal.Tests.Faults;

/// <summary>
/// The real portal executable on the database and data directory of an in-process <see cref="PortalApp"/> (so it shares
/// the master key, the hosts and the tokens), on real HTTP, with a short run lease: a process a test can SIGKILL and start
/// again. Disposing kills it by PID.
/// </summary>
public sealed class PortalInstance : IAsyncDisposable
{
    public static readonly TimeSpan RunLease = TimeSpan.FromSeconds(4);

    private PortalInstance(PortalProcess process, HttpClient http)
    {
        Process = process;
        Http = http;
    }

    public PortalProcess Process { get; }

    /// <summary>An API client that sends <c>token</c>.</summary>
    public HttpClient Http { get; }

    public static async Task<PortalInstance> StartAsync(PortalApp app, string token)
    {
        _ = app.Server; // migrated and seeded by the in-process portal
        var port = SshdServer.FreePort();
        var process = PortalProcess.Start([], new Dictionary<string, string>
        {
            ["ConnectionStrings__Portal"] = app.AppConnectionString,
            ["ConnectionStrings__PortalMigrations"] = app.SuperuserConnectionString,
            ["Portal__DataDirectory"] = app.DataDirectory,
            ["Portal__PublicUrl"] = "http://localhost",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Hosts__RunLeaseTimeout"] = RunLease.ToString(),
            ["Hosts__ConnectTimeout"] = "00:00:05",
        });
        try
        {
            // Generous: under the whole suite's load on two cores a cold start has taken over 45 s.
            await RunCommandTests.WaitHealthyAsync(process, port, TimeSpan.FromSeconds(150));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new PortalInstance(process, http);
    }

    /// <summary>SIGKILL by PID, and waits (bounded) until the process is gone.</summary>
    public async Task KillAsync()
    {
        AdminPortal.Testing.Processes.Signal("KILL", Process.Pid);
        await Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Process.DisposeAsync();
    }
}
