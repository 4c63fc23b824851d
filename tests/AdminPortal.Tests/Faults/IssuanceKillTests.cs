using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Security;
using Npgsql;
using Xunit.Abstractions;

namespace AdminPortal.Tests.Faults;

/// <summary>
/// The real portal process killed with SIGKILL while six clients issue certificates through it: after a restart every
/// answered issuance has exactly one event and its row, an issuance cut off in flight left all of it or nothing, a retry
/// of it answers accordingly (201 when nothing was committed, 409 when it was), and the chain verifies.
/// </summary>
public sealed class IssuanceKillTests(PortalApp app, ITestOutputHelper output) : IClassFixture<PortalApp>
{
    private sealed record Call(string Name, HttpStatusCode? Status, string? Serial);

    [Fact]
    public async Task Killing_the_portal_mid_issuance_leaves_no_certificate_without_its_row_and_event_and_a_retry_answers_consistently()
    {
        var admin = await app.TokenClientAsync(Roles.Admin);
        if ((await admin.GetAsync("/api/v1/ca")).StatusCode == HttpStatusCode.NotFound)
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/ca", new { name = "Kill-CA", keyAlgorithm = "ecdsa-p256" })).StatusCode);
        var token = admin.DefaultRequestHeaders.Authorization!.Parameter!;
        var tag = $"k{Guid.NewGuid():N}"[..7];

        var calls = new ConcurrentBag<Call>();
        var killed = false;
        await using (var first = await PortalInstance.StartAsync(app, token))
        {
            var load = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < 2000 && !Volatile.Read(ref killed); i++)
                {
                    var name = $"{tag}-{w}-{i}";
                    try
                    {
                        var r = await first.Http.PostAsJsonAsync("/api/v1/vpn-users", new { name });
                        var serial = r.IsSuccessStatusCode ? (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("serial").GetString() : null;
                        calls.Add(new Call(name, r.StatusCode, serial));
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or IOException)
                    {
                        calls.Add(new Call(name, null, null)); // no (complete) answer: the process died under it
                        return;
                    }
                }
            })).ToList();
            for (var waited = System.Diagnostics.Stopwatch.StartNew(); calls.Count(c => c.Status == HttpStatusCode.Created) < 40;)
            {
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(90), "the load did not get going");
                await Task.Delay(20);
            }
            await first.KillAsync();
            Volatile.Write(ref killed, true);
            await Task.WhenAll(load);
        }

        var clock = Stopwatch.StartNew();
        await using var second = await PortalInstance.StartAsync(app, token);
        var restart = clock.Elapsed;

        var events = await QueryAsync($"SELECT target, details->>'serial' FROM audit_events WHERE action = 'pki.certificate.issued' AND target LIKE 'vpn-user:{tag}-%'");
        var rows = await QueryAsync($"SELECT u.\"Name\", c.\"Serial\" FROM certificates c JOIN vpn_users u ON u.\"Id\" = c.\"VpnUserId\" WHERE u.\"Name\" LIKE '{tag}-%'");
        Assert.Equal(rows.Select(r => r.Serial).Order(), events.Select(e => e.Serial).Order());
        Assert.Equal(rows.Select(r => r.Name).Order(), events.Select(e => e.Name["vpn-user:".Length..]).Order());

        var answered = calls.Where(c => c.Status is not null).ToList();
        Assert.All(answered, c => Assert.Equal(HttpStatusCode.Created, c.Status));
        Assert.All(answered, c => Assert.Equal(c.Serial, Assert.Single(rows, r => r.Name == c.Name).Serial));
        var inFlight = calls.Where(c => c.Status is null).ToList();
        Assert.NotEmpty(inFlight);
        var committed = 0;
        foreach (var c in inFlight)
        {
            var wasCommitted = rows.Any(r => r.Name == c.Name);
            committed += wasCommitted ? 1 : 0;
            var retry = await second.Http.PostAsJsonAsync("/api/v1/vpn-users", new { name = c.Name });
            Assert.Equal(wasCommitted ? HttpStatusCode.Conflict : HttpStatusCode.Created, retry.StatusCode);
        }
        var verify = await second.Http.GetFromJsonAsync<JsonElement>("/api/v1/audit/verify");
        Assert.True(verify.GetProperty("ok").GetBoolean(), verify.ToString());
        output.WriteLine($"{answered.Count} issuances answered before the SIGKILL, {inFlight.Count} in flight ({committed} of them committed); " +
            $"restarted portal healthy in {restart.TotalMilliseconds:0} ms; chain of {verify.GetProperty("checked").GetInt64()} events verified");
    }

    private async Task<List<(string Name, string Serial)>> QueryAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(app.SuperuserConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<(string, string)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetString(1)));
        return rows;
    }
}
