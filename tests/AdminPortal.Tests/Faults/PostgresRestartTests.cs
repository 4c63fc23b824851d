using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Web.Security;
using Xunit.Abstractions;

namespace AdminPortal.Tests.Faults;

/// <summary>
/// PostgreSQL stopped (by its postmaster's PID) and started again while eight clients issue and revoke certificates
/// through the API: every success has exactly one audit event and its certificate row, a failure is a 503 problem
/// (never a 500) and left either nothing or a complete change, the chain verifies, and the portal serves again by
/// itself, without a restart.
/// </summary>
public sealed class PostgresRestartTests(ITestOutputHelper output)
{
    private const int Workers = 8;

    private sealed record Call(string Kind, string Name, HttpStatusCode Status, string? Serial, string? ContentType, string? RetryAfter, double At);

    [Theory]
    [InlineData("INT")]  // fast shutdown: every session ended, a checkpoint, then down
    [InlineData("QUIT")] // immediate shutdown: no checkpoint, crash recovery on the next start
    public async Task Restarting_PostgreSQL_during_issuance_and_revocation_loses_and_duplicates_no_event(string signal)
    {
        await using var app = new OwnClusterPortal();
        var admin = await app.TokenClientAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/ca", new { name = "Faults-CA", keyAlgorithm = "ecdsa-p256" })).StatusCode);

        var calls = new ConcurrentBag<Call>();
        var clock = Stopwatch.StartNew();
        // The bound of the load, whatever happens; requests are not cancelled (a cancelled one would leave no record here).
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        double restartedAt = double.MaxValue, stoppedAt = 0, upAt = 0;
        var load = Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            var issued = new Queue<string>();
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var revoke = i % 4 == 3 && issued.Count > 0;
                var name = revoke ? issued.Dequeue() : $"f{w}-{i}-{Guid.NewGuid():N}"[..20];
                var r = revoke
                    ? await admin.PostAsJsonAsync($"/api/v1/vpn-users/{name}/revoke", new { reason = "superseded" })
                    : await admin.PostAsJsonAsync("/api/v1/vpn-users", new { name });
                string? serial = null;
                if (r.IsSuccessStatusCode)
                {
                    serial = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("serial").GetString();
                    if (!revoke) issued.Enqueue(name);
                }
                calls.Add(new Call(revoke ? "revoke" : "issue", name, r.StatusCode, serial, r.Content.Headers.ContentType?.MediaType,
                    r.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(), clock.Elapsed.TotalSeconds));
                // After the restart: stop once every worker has had a run of successes.
                if (clock.Elapsed.TotalSeconds > restartedAt + 2 && calls.Count(c => c.At > restartedAt + 1 && c.Status is HttpStatusCode.Created or HttpStatusCode.OK) > 40)
                    stop.Cancel();
            }
        })).ToList();

        await WaitAsync(() => calls.Count(c => c.Status == HttpStatusCode.Created) >= 60, TimeSpan.FromSeconds(60));
        stoppedAt = clock.Elapsed.TotalSeconds;
        app.Cluster.Stop(signal);
        upAt = clock.Elapsed.TotalSeconds;
        app.Cluster.StartAgain();
        restartedAt = clock.Elapsed.TotalSeconds;
        await Task.WhenAll(load);

        var all = calls.OrderBy(c => c.At).ToList();
        var failed = all.Where(c => !(c.Status is HttpStatusCode.Created or HttpStatusCode.OK)).ToList();
        var firstSuccessAfter = all.FirstOrDefault(c => c.At > restartedAt && c.Status is HttpStatusCode.Created or HttpStatusCode.OK)?.At;
        var lastFailure = failed.Count > 0 ? failed.Max(c => c.At) : stoppedAt;
        output.WriteLine($"signal {signal}: {all.Count} requests; the server went down at {stoppedAt:0.00} s, was down by {upAt:0.00} s, " +
            $"accepted connections again at {restartedAt:0.00} s; {all.Count(c => c.At >= stoppedAt && c.At <= restartedAt + 0.001)} requests ended while it was down");
        output.WriteLine($"failed: {failed.Count} ({string.Join(", ", failed.GroupBy(c => (int)c.Status).Select(g => $"{g.Count()} x {g.Key}"))}); " +
            $"first success {(firstSuccessAfter - restartedAt) * 1000:0} ms after the restart; last failure {(lastFailure - restartedAt) * 1000:0} ms after it");

        // Failures are 503 problems with Retry-After, never a 500 or an empty answer.
        Assert.All(failed, c =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, c.Status);
            Assert.Equal("application/problem+json", c.ContentType);
            Assert.Equal("5", c.RetryAfter);
        });
        Assert.NotEmpty(failed); // the load really ran into the restart
        Assert.NotNull(firstSuccessAfter); // and the portal served again without a restart of its own

        // Events and rows, as stored.
        var events = (await app.QueryAsync(
                "SELECT action, target, details->>'serial' FROM audit_events WHERE action IN ('pki.certificate.issued', 'pki.certificate.revoked')"))
            .Select(r => (Action: (string)r[0]!, Name: ((string)r[1]!)["vpn-user:".Length..], Serial: (string)r[2]!)).ToList();
        var rows = (await app.QueryAsync("SELECT c.\"Serial\", u.\"Name\", c.\"Status\", c.\"EncryptedKey\" IS NOT NULL FROM certificates c JOIN vpn_users u ON u.\"Id\" = c.\"VpnUserId\""))
            .Select(r => (Serial: (string)r[0]!, Name: (string)r[1]!, Status: (string)r[2]!, HasKey: (bool)r[3]!)).ToList();
        var issuedEvents = events.Where(e => e.Action == "pki.certificate.issued").ToList();
        var revokedEvents = events.Where(e => e.Action == "pki.certificate.revoked").ToList();

        // No certificate without its row and event, no event without its certificate, no duplicate.
        Assert.Equal(rows.Select(r => r.Serial).Order(), issuedEvents.Select(e => e.Serial).Order());
        Assert.Equal(rows.Count, rows.Select(r => r.Serial).Distinct().Count());
        Assert.All(rows, r => Assert.True(r.HasKey, $"{r.Serial} has no key"));
        Assert.Equal(rows.Where(r => r.Status == "revoked").Select(r => r.Serial).Order(), revokedEvents.Select(e => e.Serial).Order());

        var ambiguous = 0;
        foreach (var c in all)
        {
            var mine = (c.Kind == "issue" ? issuedEvents : revokedEvents).Where(e => e.Name == c.Name).ToList();
            if (c.Status is HttpStatusCode.Created or HttpStatusCode.OK)
            {
                Assert.True(mine.Count == 1 && mine[0].Serial == c.Serial, $"{c}: {mine.Count} events");
                if (c.Kind == "revoke") Assert.Contains(rows, r => r.Serial == c.Serial && r.Status == "revoked");
            }
            else
            {
                // A failed request left nothing, or (the connection lost during the commit) its whole change.
                Assert.True(mine.Count <= 1, $"{c}: {mine.Count} events");
                ambiguous += mine.Count;
            }
        }
        output.WriteLine($"events: {issuedEvents.Count} issued, {revokedEvents.Count} revoked; rows: {rows.Count}; " +
            $"failed requests whose change was committed anyway: {ambiguous}");

        var verify = await admin.GetFromJsonAsync<JsonElement>("/api/v1/audit/verify");
        Assert.True(verify.GetProperty("ok").GetBoolean(), verify.ToString());
        output.WriteLine($"chain verified: {verify.GetProperty("checked").GetInt64()} events");
        var again = await admin.PostAsJsonAsync("/api/v1/vpn-users", new { name = "after-restart" });
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the load did not get going");
            await Task.Delay(20);
        }
    }
}
