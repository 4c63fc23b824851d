using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Testing;
using AdminPortal.Tests.Cli;
using AdminPortal.Web.Email;
using AdminPortal.Web.Security;
using AdminPortal.Web.Tokens;
using Npgsql;
using Xunit.Abstractions;

namespace AdminPortal.Tests.Scale;

/// <summary>
/// The README's highly available set-up, small: a primary and a streaming hot standby of the test's own, and the
/// portal (a real process) given both hosts with <c>Target Session Attributes=read-write</c>. The primary dies (an
/// immediate shutdown, like a crash), the standby is promoted: requests fail meanwhile, then succeed again without a
/// restart, both LISTEN sessions are back on the new primary, and the audit chain verifies there.
/// </summary>
[Collection(TwoPortals.Collection)]
public sealed class FailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task When_the_primary_dies_and_the_standby_is_promoted_the_portal_recovers_by_itself_and_its_listeners_follow()
    {
        using var primary = PostgresCluster.Start("ap-primary");
        primary.CreatePortalRoles("adminportal");
        using var standby = StandbyCluster.Of(primary);
        var hosts = $"127.0.0.1:{primary.Port},127.0.0.1:{standby.Port}";
        string Cs(string user, string password) =>
            $"Host={hosts};Database=adminportal;Username={user};Password={password};Target Session Attributes=read-write;Timeout=5;Maximum Pool Size=20";
        var data = Path.Combine("/tmp", "adminportal-failover-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(data);
        try
        {
            var env = new Dictionary<string, string>
            {
                ["ConnectionStrings__Portal"] = Cs("portal", "portal"),
                ["ConnectionStrings__PortalMigrations"] = Cs("postgres", ""),
                ["Portal__DataDirectory"] = data,
            };
            var url = new Uri($"http://127.0.0.1:{PostgresCluster.FreePort()}");
            await using var portal = PortalProcess.Start([], new Dictionary<string, string>(env) { ["ASPNETCORE_URLS"] = url.ToString().TrimEnd('/') });
            await RunCommandTests.WaitHealthyAsync(portal, url.Port, TwoPortals.StartTimeout);
            var cli = await PortalProcess.RunAsync(env, "token", "create", "--name", "failover", "--role", Roles.Admin);
            Assert.True(cli.ExitCode == 0, cli.StdErr);
            using var admin = TwoPortals.TokenClient(url, cli.StdOutLines[^1].Trim());
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/ca", new { name = "Failover-CA" })).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await IssueAsync(admin, "before.failover")).StatusCode);
            Assert.Equal(2, await ListenersAsync(primary.Port));
            await CaughtUpAsync(primary.Port, standby.Port);

            // The primary crashes; until the standby is promoted there is no server that takes writes.
            primary.Stop("QUIT");
            var clock = Stopwatch.StartNew();
            var during = await IssueAsync(admin, "during.failover");
            output.WriteLine($"with no primary: {(int)during.StatusCode} {await during.Content.ReadAsStringAsync()}");
            Assert.NotEqual(HttpStatusCode.Created, during.StatusCode);
            Assert.True((int)during.StatusCode >= 500, "a request without a database is a server-side failure, not a client error");
            standby.Promote();
            var promoted = clock.ElapsedMilliseconds;

            // The same process, not restarted: requests succeed again once Npgsql finds the new primary.
            var statuses = new List<int>();
            HttpResponseMessage after;
            var attempt = 0;
            do
            {
                after = await IssueAsync(admin, $"after.failover.{attempt++}");
                statuses.Add((int)after.StatusCode);
                if (after.StatusCode != HttpStatusCode.Created) await Task.Delay(500);
            }
            while (after.StatusCode != HttpStatusCode.Created && clock.Elapsed < TimeSpan.FromSeconds(90));
            Assert.Equal(HttpStatusCode.Created, after.StatusCode);
            output.WriteLine($"primary killed; standby promoted after {promoted} ms; the first issuance succeeded {clock.ElapsedMilliseconds} ms " +
                             $"after the crash, after {statuses.Count - 1} failed attempts ({string.Join(", ", statuses.Distinct())})");

            Assert.Equal(2, await ListenersAsync(standby.Port));
            output.WriteLine($"both LISTEN sessions on the new primary {clock.ElapsedMilliseconds} ms after the crash");
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/vpn-users/before.failover")).StatusCode);
            var verify = await admin.GetFromJsonAsync<JsonElement>("/api/v1/audit/verify");
            Assert.True(verify.GetProperty("ok").GetBoolean(), verify.ToString());
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static Task<HttpResponseMessage> IssueAsync(HttpClient admin, string name) =>
        admin.PostAsJsonAsync("/api/v1/vpn-users", new { name, email = $"{name}@example.test" });

    /// <summary>How many of the portal's two listening sessions are connected to the server on the port (waits, bounded, for both).</summary>
    private static async Task<int> ListenersAsync(int port)
    {
        await using var conn = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Database=adminportal;Username=postgres;Pooling=false");
        await conn.OpenAsync();
        var found = 0;
        for (var i = 0; i < 600 && found < 2; i++)
        {
            if (i > 0) await Task.Delay(100);
            await using var cmd = new NpgsqlCommand("SELECT count(DISTINCT application_name) FROM pg_stat_activity WHERE datname = 'adminportal' AND application_name = ANY($1)", conn)
            { Parameters = { new() { Value = new[] { ApiTokenInvalidation.ListenerName, EmailSender.ListenerName } } } };
            found = Convert.ToInt32(await cmd.ExecuteScalarAsync());
        }
        return found;
    }

    /// <summary>Waits (bounded) until the standby has replayed everything the primary has written so far.</summary>
    private static async Task CaughtUpAsync(int primaryPort, int standbyPort)
    {
        string lsn;
        await using (var p = new NpgsqlConnection($"Host=127.0.0.1;Port={primaryPort};Database=postgres;Username=postgres;Pooling=false"))
        {
            await p.OpenAsync();
            lsn = (string)(await new NpgsqlCommand("SELECT pg_current_wal_lsn()::text", p).ExecuteScalarAsync())!;
        }
        await using var s = new NpgsqlConnection($"Host=127.0.0.1;Port={standbyPort};Database=postgres;Username=postgres;Pooling=false");
        await s.OpenAsync();
        for (var i = 0; i < 300; i++)
        {
            await using var cmd = new NpgsqlCommand("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", s) { Parameters = { new() { Value = lsn } } };
            if ((bool)(await cmd.ExecuteScalarAsync())!) return;
            await Task.Delay(100);
        }
        throw new TimeoutException("the standby did not catch up");
    }
}
