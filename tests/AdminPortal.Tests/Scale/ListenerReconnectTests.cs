using System.Diagnostics;
using AdminPortal.Tests.Email;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.Email;
using AdminPortal.Web.Security;
using Npgsql;
using Xunit.Abstractions;

namespace AdminPortal.Tests.Scale;

/// <summary>
/// The email outbox's wake-up (LISTEN on a session of its own) survives losing that session, as it does when the
/// database fails over or a connection is dropped: once it is back, a message queued on any instance is sent at
/// once, not at the next poll (ten minutes here). The API token listener's reconnect is shown in TokenCacheTests.
/// </summary>
public sealed class ListenerReconnectTests(ITestOutputHelper output)
{
    private sealed class SlowPollPortal : PortalApp
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
            [new("Email:PollInterval", "00:10:00"), new("Email:RetryDelays:0", "00:00:00.3"), new("Email:SendTimeout", "00:00:05")];
    }

    [Fact]
    public async Task The_outbox_listener_reconnects_after_its_session_is_killed_and_wakes_the_sender_at_once()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var app = new SlowPollPortal();
        var admin = await app.TokenClientAsync(Roles.Admin);
        await EmailPortal.ConfigureSmtpAsync(admin, sink.Port);
        var first = await ListenerAsync(app, except: null);

        // Control: with the listener up, a message goes out at once.
        await SentAsync(admin, "before@example.test", "before the session is killed");

        await using (var conn = new NpgsqlConnection(app.SuperuserConnectionString))
        {
            await conn.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend($1)", conn) { Parameters = { new() { Value = first } } };
            Assert.True((bool)(await kill.ExecuteScalarAsync())!);
        }
        var clock = Stopwatch.StartNew();
        var second = await ListenerAsync(app, except: first);
        output.WriteLine($"the outbox listener was back on a new session (pid {second}, was {first}) {clock.ElapsedMilliseconds} ms after its session was killed");

        await SentAsync(admin, "after@example.test", "after the listener reconnected");
        Assert.Equal(2, sink.Messages().Count);
    }

    private async Task SentAsync(HttpClient admin, string to, string when)
    {
        var clock = Stopwatch.StartNew();
        var id = await EmailPortal.QueueTestEmailAsync(admin, to);
        await EmailPortal.WaitForAsync(admin, id, m => EmailPortal.Status(m, "sent"), timeoutSeconds: 20);
        output.WriteLine($"a message queued {when} was sent in {clock.ElapsedMilliseconds} ms (poll interval 10 min)");
    }

    /// <summary>The backend PID of the portal's outbox listener session, once there is one other than <paramref name="except"/>.</summary>
    private static async Task<int> ListenerAsync(PortalApp app, int? except)
    {
        await using var conn = new NpgsqlConnection(app.SuperuserConnectionString);
        await conn.OpenAsync();
        for (var i = 0; i < 300; i++)
        {
            await using var cmd = new NpgsqlCommand(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 AND query LIKE 'LISTEN%'", conn)
            { Parameters = { new() { Value = EmailSender.ListenerName } } };
            if (await cmd.ExecuteScalarAsync() is int pid && pid != except) return pid;
            await Task.Delay(100);
        }
        throw new TimeoutException("no outbox listener session");
    }
}
