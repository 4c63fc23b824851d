using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using AdminPortal.Tests.Hosts;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Tests.Security;

namespace AdminPortal.Tests.Hostile;

/// <summary>
/// The hostile input corpus (corpus.json) through the API and the server-rendered forms, with real sshd hosts behind the
/// remote features. Over every case: no 5xx, no canary file (no payload ran as a command), no markup from input on any page,
/// and every refusal says why and changes nothing.
/// </summary>
public sealed partial class HostileCorpusTests(HostileLab lab) : IClassFixture<HostileLab>
{
    public static IEnumerable<object[]> Injection => HostileCorpus.Ids("injection");
    public static IEnumerable<object[]> Traversal => HostileCorpus.Ids("traversal");
    public static IEnumerable<object[]> Control => HostileCorpus.Ids("control");
    public static IEnumerable<object[]> Utf8 => HostileCorpus.Ids("utf8");
    public static IEnumerable<object[]> Oversize => HostileCorpus.Ids("oversize");
    public static IEnumerable<object[]> Markup => HostileCorpus.Ids("markup");
    public static IEnumerable<object[]> Token => HostileCorpus.Ids("token");

    [Theory, MemberData(nameof(Injection))] public Task Injection_is_refused_by_type_or_reaches_the_host_literally(string id) => RunAsync(id);
    [Theory, MemberData(nameof(Traversal))] public Task Path_traversal_finds_nothing(string id) => RunAsync(id);
    [Theory, MemberData(nameof(Control))] public Task Control_characters_are_refused(string id) => RunAsync(id);
    [Theory, MemberData(nameof(Utf8))] public Task Invalid_utf8_bodies_are_bad_requests(string id) => RunAsync(id);
    [Theory, MemberData(nameof(Oversize))] public Task Oversized_bodies_are_413(string id) => RunAsync(id);
    [Theory, MemberData(nameof(Markup))] public Task Markup_is_stored_verbatim_and_shown_escaped(string id) => RunAsync(id);
    [Theory, MemberData(nameof(Token))] public Task Forged_and_replayed_tokens_are_refused(string id) => RunAsync(id);

    [Fact]
    public void The_corpus_has_at_least_200_cases_with_unique_ids_in_every_category()
    {
        Assert.True(HostileCorpus.All.Count >= 200, $"{HostileCorpus.All.Count} cases");
        Assert.Equal(HostileCorpus.All.Count, HostileCorpus.ById.Count);
        Assert.Equal(["control", "injection", "markup", "oversize", "token", "traversal", "utf8"], HostileCorpus.All.Select(c => c.Category).Distinct().Order());
        Assert.All(HostileCorpus.All, c => Assert.Matches("^(stored|inline|[1-5][0-9][0-9])$", c.Expect));
    }

    private async Task RunAsync(string id)
    {
        var c = HostileCorpus.ById[id];
        var payload = Expand(c.Payload ?? "", c.Id);
        if (c.Repeat > 0) payload = string.Concat(Enumerable.Repeat(payload, c.Repeat));
        if (c.ShownInEmail) await lab.ShowDisplayNameInOnboardingEmailAsync();
        Dictionary<string, long> before;
        await using (var db = await lab.Portal.DbAsync()) before = await HostileChecks.RowCountsAsync(db);

        var response = await SendAsync(c, payload);
        var body = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        var what = $"{c} → {status}: {body[..Math.Min(400, body.Length)]}";

        Assert.True(status < 500, "A 5xx: " + what);
        if (c.Expect == HostileCase.Stored)
        {
            Assert.True(status is >= 200 and < 300, what);
            await StoredAsync(c, payload, body);
        }
        else
        {
            Assert.True(c.Expect == status.ToString(), $"Expected {c.Expect}. " + what);
            if (status >= 400) AssertClearRefusal(c, response, body, what);
            if (c.ExpectText is not null) Assert.Contains(c.ExpectText, body);
            if (c.EscapedInResponse) HostileChecks.AssertEscaped(body, payload, c.Id, c.Surface, mustShow: false);
            foreach (var page in c.ShownOn ?? []) await ShownEscapedAsync(page, payload, c, null);
            await using var db = await lab.Portal.DbAsync();
            var after = await HostileChecks.RowCountsAsync(db);
            Assert.True(after.SequenceEqual(before), $"{c}: rows changed: {HostileChecks.Diff(before, after)}");
        }
        Assert.False(File.Exists(lab.Canary(c.Id)), $"{c}: the canary file exists: the payload ran as a command");
    }

    /// <summary>A refusal says why: problem+json with a detail (and the field in errors) for the API, the page's own words elsewhere.</summary>
    private static void AssertClearRefusal(HostileCase c, HttpResponseMessage response, string body, string what)
    {
        if (!c.Target.StartsWith("/api/", StringComparison.Ordinal) || c.Expect is "401") return;
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", "Not problem+json: " + what);
        var problem = JsonDocument.Parse(body).RootElement;
        // A 403 is the authorization layer's "Forbidden" (the access-denied page says more); every other refusal has a detail.
        var detail = problem.TryGetProperty("detail", out var d) ? d.GetString() : c.Expect == "403" ? problem.GetProperty("title").GetString() + " (403)" : null;
        Assert.True(detail is { Length: >= 10 }, "No clear detail: " + what);
        if (c.Field is not null)
            Assert.True(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(c.Field, out var named) && named[0].GetString() is { Length: > 0 },
                $"errors.{c.Field} missing: " + what);
    }

    private async Task StoredAsync(HostileCase c, string payload, string body)
    {
        var result = JsonDocument.Parse(body).RootElement;
        var values = new Dictionary<string, string>();
        foreach (var p in result.ValueKind == JsonValueKind.Object ? result.EnumerateObject() : Enumerable.Empty<JsonProperty>())
            values["RESULT." + p.Name] = p.Value.ToString();
        if (c.Echo)
        {
            var run = await lab.Portal.WaitAsync(Guid.Parse(values["RESULT.id"]));
            var host = SshLab.Host(run, lab.Values["UHOST"]);
            Assert.True(host.GetProperty("status").GetString() == "succeeded", $"{c}: {host}");
            Assert.Equal(payload, SshLab.Text(host));
        }
        if (c.WaitOnboarding) await Onboarding.Onboardings.WaitAsync(lab.Admin, Guid.Parse(values["RESULT.id"]));
        if (c.ShownInEmail)
        {
            await using var db = await lab.Portal.DbAsync();
            var mail = db.OutboxMessages.AsEnumerable().SingleOrDefault(m => m.TextBody.Contains(payload));
            Assert.True(mail?.HtmlBody is not null, $"{c}: no email with an HTML part shows the payload");
            Assert.Contains(payload, mail!.TextBody);
            HostileChecks.AssertEscaped(mail.HtmlBody!, payload, c.Id, $"{c} in the email's HTML part");
        }
        foreach (var page in c.ShownOn ?? []) await ShownEscapedAsync(page, payload, c, values);
    }

    private async Task ShownEscapedAsync(string page, string payload, HostileCase c, Dictionary<string, string>? result)
    {
        var url = Expand(page, c.Id, result);
        var response = await lab.AdminBrowser.Follow.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{c}: {url} answered {(int)response.StatusCode}");
        HostileChecks.AssertEscaped(html, payload, c.Id, $"{c} on {url}", mustShow: c.ShownVerbatim);
    }

    private async Task<HttpResponseMessage> SendAsync(HostileCase c, string payload)
    {
        if (c.Method == "FORM") return await FormAsync(c, payload);
        if (c.Method == "ANTIFORGERY") return await AntiforgeryAsync(c.Target);
        var target = Expand(c.Target, c.Id).Replace("$URL", Uri.EscapeDataString(payload)).Replace("$RAW", payload);
        var request = new HttpRequestMessage(new HttpMethod(c.Method), target);
        if (c.BodyHex is not null) request.Content = SecurityClients.Raw(Convert.FromHexString(c.BodyHex));
        else if (c.BodyZeros > 0)
        {
            request.Content = new ByteArrayContent(new byte[c.BodyZeros]);
            request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=x");
        }
        else if (c.Body is not null) request.Content = SecurityClients.Json(Expand(c.Body, c.Id).Replace("$P", JsonSerializer.Serialize(payload)));
        var client = c.AuthHeader is not null ? lab.WithAuthorization(c.AuthHeader) : c.Auth switch
        {
            null => lab.Admin,
            "none" => lab.WithAuthorization(null),
            "helpdesk" => lab.Helpdesk,
            "revoked" => lab.Bearer(lab.RevokedToken),
            "cookie" => lab.AdminBrowser.NoFollow,
            "forged-cookie" => ForgedCookie(),
            _ => throw new ArgumentException($"{c}: unknown auth {c.Auth}"),
        };
        return await client.SendAsync(request);
    }

    private HttpClient ForgedCookie()
    {
        var client = lab.WithAuthorization(null);
        client.DefaultRequestHeaders.TryAddWithoutValidation("Cookie", ".AspNetCore.Identity.Application=CfDJ8" + new string('A', 300));
        return client;
    }

    private async Task<HttpResponseMessage> FormAsync(HostileCase c, string payload)
    {
        var parts = c.Target.Split(' ');
        var fields = c.Form!.ToDictionary(kv => kv.Key, kv => kv.Value.Replace("$RAW", payload));
        return await Forms.PostAsync(lab.NewBrowser().Follow, parts[0], parts[1], fields);
    }

    /// <summary>Forms posted without the antiforgery token their page carries, or with another session's.</summary>
    private async Task<HttpResponseMessage> AntiforgeryAsync(string kind)
    {
        var browser = lab.NewBrowser();
        var fields = new Dictionary<string, string> { ["_handler"] = "login", ["Form.Email"] = "a@example.test", ["Form.Password"] = "wrong password 123" };
        switch (kind)
        {
            case "noantiforgery":
                return await browser.NoFollow.PostAsync("/account/login", new FormUrlEncodedContent(fields));
            case "foreignantiforgery":
                fields["__RequestVerificationToken"] = await SecurityClients.AntiforgeryTokenAsync(lab.NewBrowser().Follow, "/account/login");
                await browser.Follow.GetAsync("/account/login");
                return await browser.NoFollow.PostAsync("/account/login", new FormUrlEncodedContent(fields));
            case "logout":
                var signedIn = lab.AuditorBrowser;
                var refused = await signedIn.NoFollow.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>()));
                Assert.Equal(HttpStatusCode.OK, (await signedIn.NoFollow.GetAsync("/api/v1/me")).StatusCode); // still signed in
                return refused;
            default:
                throw new ArgumentException(kind);
        }
    }

    [GeneratedRegex(@"\$\{([A-Z]+(?:\.[A-Za-z]+)?)\}")]
    private static partial Regex Placeholder();

    /// <summary>Fills ${NAME} with the lab's values (unknown names, like $IFS in a payload, stay as they are).</summary>
    private string Expand(string text, string id, Dictionary<string, string>? result = null) => Placeholder().Replace(text, m =>
        m.Groups[1].Value switch
        {
            "CANARY" => lab.Canary(id),
            "ID" => id,
            "UNIQ" => Guid.NewGuid().ToString("N")[..8],
            var k when result?.TryGetValue(k, out var r) == true => r,
            var k when lab.Values.TryGetValue(k, out var v) => v,
            _ => m.Value,
        });
}
