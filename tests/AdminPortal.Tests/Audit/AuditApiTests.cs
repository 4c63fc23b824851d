using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Data.Audit;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Security;

namespace AdminPortal.Tests.Audit;

public sealed class AuditApiTests(PortalApp app) : IClassFixture<PortalApp>
{
    private sealed record Page(List<AuditEventDto> Items, long? NextBefore);

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private async Task<long> RecordAsync(string actor, string action, string target, object? details = null, string outcome = AuditOutcome.Success)
    {
        await app.Service<AuditedWork>().RecordAsync(new AuditEntry(new AuditActor(actor, "Admin", "10.0.0.1"), action, target, details, outcome), CancellationToken.None);
        return await AuditTamper.HeadAsync(app.SuperuserConnectionString);
    }

    private static async Task<Page> GetPageAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync("/api/v1/audit?" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Page>())!;
    }

    [Fact]
    public async Task Filters_select_by_actor_action_prefix_target_and_outcome()
    {
        var auditor = await app.TokenClientAsync(Roles.Auditor);
        var actor = Unique("filter");
        var a1 = await RecordAsync(actor, "host.key.trusted", "host:a");
        var a2 = await RecordAsync(actor, "host.key.rejected", "host:b", outcome: AuditOutcome.Denied);
        var a3 = await RecordAsync(actor, "hostname.changed", "host:a");
        var a4 = await RecordAsync(actor, "host.keys.listed", "host:c");
        await RecordAsync(Unique("other"), "host.key.trusted", "host:a");

        static long[] Seqs(Page p) => p.Items.Select(i => i.Sequence).ToArray();
        var q = $"actor={actor}";
        Assert.Equal([a4, a3, a2, a1], Seqs(await GetPageAsync(auditor, q)));
        // A dotted prefix: "host.key" is not a prefix of "host.keys" or "hostname".
        Assert.Equal([a2, a1], Seqs(await GetPageAsync(auditor, q + "&action=host.key")));
        Assert.Equal([a2, a1], Seqs(await GetPageAsync(auditor, q + "&action=host.key.")));
        Assert.Equal([a1], Seqs(await GetPageAsync(auditor, q + "&action=host.key.trusted")));
        Assert.Equal([a3, a1], Seqs(await GetPageAsync(auditor, q + "&target=host:a")));
        Assert.Equal([a2], Seqs(await GetPageAsync(auditor, q + "&outcome=denied")));
        var only = Assert.Single((await GetPageAsync(auditor, q + "&outcome=denied")).Items);
        Assert.Equal(("host.key.rejected", "host:b", "10.0.0.1", "Admin"), (only.Action, only.Target, only.ClientAddress, only.ActorRole));
    }

    [Fact]
    public async Task From_and_to_select_a_time_window_in_any_offset()
    {
        var auditor = await app.TokenClientAsync(Roles.Auditor);
        var actor = Unique("window");
        var early = await RecordAsync(actor, "test.window", "early");
        var between = AuditHasher.Truncate(DateTimeOffset.UtcNow).AddTicks(10);
        var late = await RecordAsync(actor, "test.window", "late");
        static string Q(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("O"));

        Assert.Equal([late], (await GetPageAsync(auditor, $"actor={actor}&from={Q(between)}")).Items.Select(i => i.Sequence));
        Assert.Equal([early], (await GetPageAsync(auditor, $"actor={actor}&to={Q(between)}")).Items.Select(i => i.Sequence));
        // The same instant written with a +02:00 offset selects the same events.
        var plusTwo = between.ToOffset(TimeSpan.FromHours(2));
        Assert.Equal([late], (await GetPageAsync(auditor, $"actor={actor}&from={Q(plusTwo)}")).Items.Select(i => i.Sequence));
    }

    [Fact]
    public async Task Keyset_pages_follow_next_before_without_overlap_or_gap()
    {
        var auditor = await app.TokenClientAsync(Roles.Auditor);
        var actor = Unique("pager");
        var all = new List<long>();
        for (var i = 0; i < 7; i++) all.Add(await RecordAsync(actor, "test.page", $"item:{i}"));
        all.Reverse();

        var seen = new List<long>();
        long? before = null;
        var pages = 0;
        do
        {
            var page = await GetPageAsync(auditor, $"actor={actor}&limit=3" + (before is null ? "" : $"&before={before}"));
            Assert.True(page.Items.Count is > 0 and <= 3);
            seen.AddRange(page.Items.Select(i => i.Sequence));
            before = page.NextBefore;
            pages++;
        }
        while (before is not null && pages < 10);
        Assert.Equal(3, pages);
        Assert.Equal(all, seen);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(501)]
    public async Task A_limit_outside_1_to_500_is_a_problem(int limit)
    {
        var auditor = await app.TokenClientAsync(Roles.Auditor);
        var response = await auditor.GetAsync($"/api/v1/audit?limit={limit}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("limit", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Csv_export_quotes_awkward_fields_and_defuses_spreadsheet_formulas()
    {
        var auditor = await app.TokenClientAsync(Roles.Auditor);
        var actor = Unique("csv");
        var note = "a, b \"quoted\"\nsecond line";
        var s1 = await RecordAsync(actor, "test.csv", "=HYPERLINK(\"http://evil\")", new { note });
        var s2 = await RecordAsync(actor, "test.csv", "@SUM(A1)");
        var s3 = await RecordAsync(actor, "test.csv", "plain");

        var response = await auditor.GetAsync($"/api/v1/audit/export?format=csv&actor={actor}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var rows = Csv.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("sequence,occurred_at,actor,actor_role,action,target,details,client_address,outcome,prev_hash,hash", string.Join(',', rows[0]));
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.Equal(11, r.Length));
        Assert.Equal([s1.ToString(), s2.ToString(), s3.ToString()], rows.Skip(1).Select(r => r[0]));
        Assert.Equal("'=HYPERLINK(\"http://evil\")", rows[1][5]);
        Assert.Equal(note, JsonDocument.Parse(rows[1][6]).RootElement.GetProperty("note").GetString());
        Assert.Equal("'@SUM(A1)", rows[2][5]);
        Assert.Equal("plain", rows[3][5]);
        Assert.Equal(64, rows[3][10].Length);
    }

    [Fact]
    public async Task Json_export_returns_the_matching_events_oldest_first_and_is_itself_audited()
    {
        var auditor = await app.TokenClientAsync(Roles.Auditor);
        var actor = Unique("json");
        var s1 = await RecordAsync(actor, "test.json", "one", new { n = 1 });
        var s2 = await RecordAsync(actor, "test.json", "two");

        var events = await auditor.GetFromJsonAsync<List<AuditEventDto>>($"/api/v1/audit/export?format=json&actor={actor}");
        Assert.NotNull(events);
        Assert.Equal([s1, s2], events.Select(e => e.Sequence));
        Assert.Equal(1, events[0].Details.GetProperty("n").GetInt32());

        var exported = await GetPageAsync(auditor, "action=audit.exported&limit=500");
        Assert.Contains(exported.Items, e => e.Details.ToString().Contains(actor) && e.Actor.StartsWith("token:"));
    }

    [Theory]
    [InlineData("/api/v1/audit")]
    [InlineData("/api/v1/audit/export?format=csv")]
    [InlineData("/api/v1/audit/verify")]
    public async Task Helpdesk_is_forbidden_the_audit_trail(string url)
    {
        var helpdesk = await app.TokenClientAsync(Roles.Helpdesk);
        Assert.Equal(HttpStatusCode.Forbidden, (await helpdesk.GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task An_unknown_export_format_is_a_problem()
    {
        var auditor = await app.TokenClientAsync(Roles.Auditor);
        var response = await auditor.GetAsync("/api/v1/audit/export?format=xlsx");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
