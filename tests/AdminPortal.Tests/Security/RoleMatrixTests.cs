using System.Net;
using AdminPortal.Web.Security;

namespace AdminPortal.Tests.Security;

/// <summary>
/// The authorization matrix: every API endpoint and page of the running app × every kind of caller
/// (<see cref="MatrixCallers"/>) → the status <see cref="Permissions.Matrix"/> and <see cref="AccessTable"/> say.
/// </summary>
public sealed class RoleMatrixTests(MatrixPortalApp app) : IClassFixture<MatrixPortalApp>
{
    public static TheoryData<string> Callers() => MatrixCallers.All();

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

    /// <summary>What a caller must get from an endpoint: the allowed status, or a 401/403 problem.</summary>
    private static HttpStatusCode ExpectedApi(string caller, ApiCall call) => MatrixCallers.RoleOf(caller) switch
    {
        // Nobody, a revoked token and an expired session are all unauthenticated.
        null => HttpStatusCode.Unauthorized,
        // The API accepts a cookie for reading only: a state change needs a bearer token (no CSRF through the API).
        _ when MatrixCallers.ByCookie(caller) && call.Method is not "GET" => HttpStatusCode.Unauthorized,
        var role => Permissions.Allows(call.Permission, role) ? call.Allowed : HttpStatusCode.Forbidden,
    };

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task Each_caller_gets_exactly_the_api_status_its_permissions_allow(string caller)
    {
        var (client, owner) = await MatrixCallers.StartAsync(app, caller);
        using var _ = owner;
        var wrong = new List<string>();

        foreach (var call in AccessTable.Api)
        {
            var expected = ExpectedApi(caller, call);
            var response = await client.SendAsync(call.Request());
            if (response.StatusCode != expected)
                wrong.Add($"{call}: expected {(int)expected}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            else if (expected is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                wrong.Add($"{call}: {(int)expected} without problem+json");
        }

        Assert.True(wrong.Count == 0, $"{caller}:\n" + string.Join("\n", wrong));
    }

    /// <summary>What a caller must get from a page: open pages answer everyone, the others as the permission says.</summary>
    private static string ExpectedPage(string caller, PageCall page)
    {
        if (page.Permission is null) return "open";
        var toLogin = "302 to /account/login?ReturnUrl=" + Uri.EscapeDataString(page.Url);
        return (MatrixCallers.RoleOf(caller), caller) switch
        {
            (null, MatrixCallers.RevokedToken) => "401",
            (null, _) => toLogin,
            var (role, _) when Permissions.Allows(page.Permission, role) => "200",
            // A person is shown the access-denied page; a token gets the plain status.
            _ when MatrixCallers.ByCookie(caller) => "302 to /account/access-denied?ReturnUrl=" + Uri.EscapeDataString(page.Url),
            _ => "403",
        };
    }

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task Each_caller_opens_exactly_the_pages_its_permissions_allow(string caller)
    {
        var (client, owner) = await MatrixCallers.StartAsync(app, caller);
        using var _ = owner;
        var wrong = new List<string>();

        foreach (var page in AccessTable.Pages)
        {
            var response = await client.GetAsync(page.Url);
            var outcome = response.StatusCode == HttpStatusCode.Redirect ? $"302 to {LocalPart(response.Headers.Location!)}" : $"{(int)response.StatusCode}";
            // The open pages (login, setup link, access denied, not found) answer with their own status, never a refusal.
            if (page.Permission is null && response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Gone or HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
                outcome = "open";
            var expected = ExpectedPage(caller, page);
            if (!outcome.Equals(expected, StringComparison.OrdinalIgnoreCase)) wrong.Add($"GET {page.Path}: expected {expected}, got {outcome}");
        }

        Assert.True(wrong.Count == 0, $"{caller}:\n" + string.Join("\n", wrong));
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
