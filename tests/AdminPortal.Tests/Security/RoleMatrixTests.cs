using System.Net;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Security;

namespace AdminPortal.Tests.Security;

/// <summary>Every role, by token and by cookie, against every API endpoint and page, as Permissions.Matrix says.</summary>
public sealed class RoleMatrixTests(PortalApp app) : IClassFixture<PortalApp>
{
    public static TheoryData<string, string> Callers()
    {
        var data = new TheoryData<string, string>();
        foreach (var role in Roles.All)
        {
            data.Add(role, "token");
            data.Add(role, "cookie");
        }
        return data;
    }

    /// <summary>The client to call with, and one that does not follow redirects (the same one for a token).</summary>
    private async Task<(HttpClient Client, IDisposable Owner)> CallerAsync(string role, string via)
    {
        if (via == "token")
        {
            var token = await app.TokenClientAsync(role);
            return (token, token);
        }
        var browser = await new CookieBrowser(app).LoginAsync(await app.CreateOperatorAsync(role));
        return (browser.NoFollow, browser);
    }

    [Fact]
    public void Every_api_endpoint_and_page_of_the_running_app_has_an_expectation_here()
    {
        var expectedApi = AccessTable.Api.Select(c => $"{c.Method} {c.Route}").Order().ToList();
        var expectedPages = AccessTable.Pages.Select(p => p.Path).Append(AccessTable.EnrolmentPage).Order().ToList();

        Assert.Equal(expectedApi, AccessTable.MappedApiRoutes(app));
        Assert.Equal(expectedPages, AccessTable.MappedPages(app));
    }

    [Fact]
    public async Task The_openapi_document_is_anonymous_and_describes_every_api_endpoint()
    {
        var response = await app.CreateClient().GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var documented = (await response.JsonAsync()).GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(op => $"{op.Name.ToUpperInvariant()} {p.Name.TrimEnd('/')}"))
            .Where(r => r.Contains(" /api/v1")).Order().ToList();
        var expected = AccessTable.Api.Select(c => $"{c.Method} {c.Route.Replace(":long", "").Replace(":guid", "")}").Order().ToList();
        Assert.Equal(expected, documented);
    }

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task Each_role_reaches_exactly_the_api_endpoints_its_permissions_allow(string role, string via)
    {
        var (client, owner) = await CallerAsync(role, via);
        using var _ = owner;
        var wrong = new List<string>();

        foreach (var call in AccessTable.Api)
        {
            // The API accepts a cookie for reading only: a state change needs a bearer token (no CSRF through the API).
            var expected = via == "cookie" && call.Method is not "GET"
                ? HttpStatusCode.Unauthorized
                : Permissions.Allows(call.Permission, role) ? call.Allowed : HttpStatusCode.Forbidden;
            var response = await client.SendAsync(call.Request());
            if (response.StatusCode != expected)
                wrong.Add($"{call}: expected {(int)expected}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            else if (expected == HttpStatusCode.Forbidden && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                wrong.Add($"{call}: 403 without problem+json");
        }

        Assert.True(wrong.Count == 0, $"{role} by {via}:\n" + string.Join("\n", wrong));
    }

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task Each_role_opens_exactly_the_pages_its_permissions_allow(string role, string via)
    {
        var (client, owner) = await CallerAsync(role, via);
        using var _ = owner;
        var wrong = new List<string>();

        foreach (var page in AccessTable.Pages.Where(p => p.Permission is not null))
        {
            var response = await client.GetAsync(page.Url);
            var allowed = Permissions.Allows(page.Permission!, role);
            var outcome = response.StatusCode == HttpStatusCode.Redirect ? $"302 to {LocalPart(response.Headers.Location!)}" : $"{(int)response.StatusCode}";
            var expected = (allowed, via) switch
            {
                (true, _) => "200",
                // A person is shown the access-denied page; a token gets the plain status.
                (false, "cookie") => "302 to /account/access-denied?ReturnUrl=" + Uri.EscapeDataString(page.Url),
                _ => "403",
            };
            if (!outcome.Equals(expected, StringComparison.OrdinalIgnoreCase)) wrong.Add($"GET {page.Path}: expected {expected}, got {outcome}");
        }

        Assert.True(wrong.Count == 0, $"{role} by {via}:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public async Task Anonymous_callers_get_401_problems_from_the_api_and_are_sent_to_login_from_pages()
    {
        var client = app.CreateClient(new() { AllowAutoRedirect = false });
        var wrong = new List<string>();

        foreach (var call in AccessTable.Api)
        {
            var response = await client.SendAsync(call.Request());
            if (response.StatusCode != HttpStatusCode.Unauthorized || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                wrong.Add($"{call}: {(int)response.StatusCode} {response.Content.Headers.ContentType}");
        }
        foreach (var page in AccessTable.Pages)
        {
            var path = page.Url;
            var response = await client.GetAsync(path);
            var toLogin = response.StatusCode == HttpStatusCode.Redirect && LocalPart(response.Headers.Location!) == "/account/login?ReturnUrl=" + Uri.EscapeDataString(path);
            var open = response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Gone or HttpStatusCode.Forbidden;
            if (page.Permission is null ? !open : !toLogin) wrong.Add($"GET {path}: {(int)response.StatusCode} {response.Headers.Location}");
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    private static string LocalPart(Uri location) =>
        location.IsAbsoluteUri ? (location.Host == "localhost" ? location.PathAndQuery : location.OriginalString) : location.OriginalString;

    [Theory]
    [InlineData("Bearer ap_not-a-real-token")]
    [InlineData("Bearer not-even-the-prefix")]
    [InlineData("bearer ap_0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task An_unknown_bearer_token_gets_401_and_not_a_cookie_login_redirect(string authorization)
    {
        var client = app.CreateClient(new() { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);

        await (await client.GetAsync("/api/v1/me")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        var page = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
    }

    [Fact]
    public async Task An_operator_denied_a_page_is_shown_the_access_denied_page_with_403()
    {
        using var browser = await new CookieBrowser(app).LoginAsync(await app.CreateOperatorAsync(Roles.Helpdesk));

        var denied = await browser.Follow.GetAsync("/operators");

        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal("/account/access-denied", CookieBrowser.PathOf(denied));
        Assert.Contains("data-testid=\"access-denied\"", await denied.Content.ReadAsStringAsync());
    }
}
