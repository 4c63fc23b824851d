using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Data.Audit;
using AdminPortal.Web.Security;
using Npgsql;
using Xunit.Abstractions;

namespace AdminPortal.Tests.Scale;

/// <summary>
/// Two portal processes on one database issue at the same time: every certificate has a unique serial and its
/// row, and both write into ONE gapless audit chain that verifies (through the API of either instance, and
/// independently by the test with the verifier and the checkpoint key on the shared volume).
/// </summary>
[Collection(TwoPortals.Collection)]
public sealed class TwoInstanceIssuanceTests(ITestOutputHelper output)
{
    private const int PerInstance = 100;

    [Fact]
    public async Task Concurrent_issuance_through_two_instances_gives_unique_serials_every_row_and_one_gapless_chain()
    {
        await using var portals = await TwoPortals.StartAsync();
        var token = await portals.CreateTokenAsync(Roles.Admin);
        using var a = TwoPortals.TokenClient(portals.UrlA, token);
        using var b = TwoPortals.TokenClient(portals.UrlB, token);
        Assert.Equal(HttpStatusCode.Created, (await a.PostAsJsonAsync("/api/v1/ca", new { name = "Scale-CA" })).StatusCode);
        var before = await portals.ScalarAsync<long>("SELECT max(sequence) FROM audit_events");

        var clock = Stopwatch.StartNew();
        var requests = Enumerable.Range(0, 2 * PerInstance).Select(i => IssueAsync(i % 2 == 0 ? a : b, $"scale.{i:D3}")).ToList();
        var issued = await Task.WhenAll(requests);
        clock.Stop();
        output.WriteLine($"{2 * PerInstance} certificates issued through two instances ({PerInstance} concurrent requests each): {clock.ElapsedMilliseconds} ms");

        Assert.All(issued, r => Assert.True(r.Status == HttpStatusCode.Created, $"{r.Name}: {(int)r.Status} {r.Body}"));
        var serials = issued.Select(r => r.Serial!).ToList();
        Assert.Equal(2 * PerInstance, serials.Distinct().Count());

        // Every certificate a client was given is the one stored, under its user.
        await using (var conn = await portals.SuperuserAsync())
        {
            var rows = new Dictionary<string, (string Pem, string User)>();
            await using var cmd = new NpgsqlCommand(
                "SELECT c.\"Serial\", c.\"CertificatePem\", u.\"Name\" FROM certificates c JOIN vpn_users u ON u.\"Id\" = c.\"VpnUserId\" WHERE c.\"Kind\" = 'client'", conn);
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) rows[r.GetString(0)] = (r.GetString(1), r.GetString(2));
            Assert.Equal(2 * PerInstance, rows.Count);
            Assert.All(issued, i => Assert.Equal((i.Pem, i.Name), rows[i.Serial!]));
        }

        // One chain: every issuance has exactly one event, and the sequence has no gap and no duplicate.
        Assert.Equal(2 * PerInstance, await portals.ScalarAsync<long>("SELECT count(DISTINCT target) FROM audit_events WHERE action = 'pki.certificate.issued'"));
        Assert.Equal(2 * PerInstance, await portals.ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'pki.certificate.issued'"));
        var (count, min, max) = (await portals.ScalarAsync<long>("SELECT count(*) FROM audit_events"),
            await portals.ScalarAsync<long>("SELECT min(sequence) FROM audit_events"), await portals.ScalarAsync<long>("SELECT max(sequence) FROM audit_events"));
        Assert.Equal((1L, count), (min, max));
        Assert.True(max - before >= 2 * PerInstance);

        // Verified through each instance's API (a verification is itself an audit event), and by the test itself.
        Assert.Equal(HttpStatusCode.OK, (await b.PostAsync("/api/v1/audit/checkpoints", null)).StatusCode);
        foreach (var client in new[] { a, b })
        {
            var verify = await client.GetFromJsonAsync<JsonElement>("/api/v1/audit/verify");
            Assert.True(verify.GetProperty("ok").GetBoolean(), verify.ToString());
        }
        var settings = new CheckpointSettings(Path.Combine(portals.DataDirectory, "audit-checkpoints"), Path.Combine(portals.DataDirectory, "audit-checkpoint.key"));
        await using var dataSource = NpgsqlDataSource.Create(portals.SuperuserConnectionString);
        var independent = await new AuditVerifier(new AuditCheckpoints(settings)).VerifyAsync(dataSource, default);
        Assert.True(independent.Ok, independent.Problem);
        Assert.True(independent.Checkpoint is { SignatureValid: true, Matches: true }, $"checkpoint: {independent.Checkpoint}");
        output.WriteLine($"audit chain: {independent.Checked} events, gapless, verified with the checkpoint signed by instance B");
    }

    private sealed record Issued(string Name, HttpStatusCode Status, string Body, string? Serial, string? Pem);

    private static async Task<Issued> IssueAsync(HttpClient client, string name)
    {
        var r = await client.PostAsJsonAsync("/api/v1/vpn-users", new { name, email = $"{name}@example.test" });
        var body = await r.Content.ReadAsStringAsync();
        if (r.StatusCode != HttpStatusCode.Created) return new Issued(name, r.StatusCode, body, null, null);
        var json = JsonDocument.Parse(body).RootElement;
        return new Issued(name, r.StatusCode, "", json.GetProperty("serial").GetString(), json.GetProperty("certificatePem").GetString());
    }
}
