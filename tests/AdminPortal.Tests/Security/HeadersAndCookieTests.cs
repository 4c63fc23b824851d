using System.Net;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Security;

namespace AdminPortal.Tests.Security;

public sealed class HeadersAndCookieTests(PortalApp app) : IClassFixture<PortalApp>
{
    public static TheoryData<string, string, HttpStatusCode> Responses => new()
    {
        { "a page", "/account/login", HttpStatusCode.OK },
        { "the dashboard, signed in", "/", HttpStatusCode.OK },
        { "an API response", "/api/v1/me", HttpStatusCode.OK },
        { "an API refusal", "/api/v1/tokens", HttpStatusCode.Forbidden },
        { "an API 404", "/api/v1/audit/999999999", HttpStatusCode.NotFound },
        { "a static file", "/css/app.css", HttpStatusCode.OK },
        { "a page that does not exist", "/no-such-page", HttpStatusCode.NotFound },
        { "an unknown download link", "/d/not-even-a-token", HttpStatusCode.NotFound },
        { "the health check", "/healthz", HttpStatusCode.OK },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public async Task Security_headers_are_on_every_kind_of_response(string what, string path, HttpStatusCode status)
    {
        HttpResponseMessage response;
        if (path.StartsWith("/api"))
        {
            using var client = await app.TokenClientAsync(Roles.Auditor);
            response = await client.GetAsync(path);
        }
        else
        {
            using var browser = await new CookieBrowser(app).LoginAsync(await app.CreateOperatorAsync(Roles.Auditor));
            response = await browser.NoFollow.GetAsync(path);
        }

        Assert.True(status == response.StatusCode, $"{what}: {response.StatusCode}");
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("'unsafe-eval'", csp);
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        if (path.StartsWith("/api"))
        {
            // Not a document: it may load nothing at all, so the document-only headers are left out.
            Assert.Equal(SecurityHeaders.ApiCsp, csp);
            Assert.False(response.Headers.Contains("Referrer-Policy"), what);
            return;
        }
        Assert.Contains("default-src 'self'", csp);
        // Scripts only from the portal itself: no inline script, no eval (Blazor Server and MudBlazor need neither).
        Assert.Contains("script-src 'self';", csp);
        Assert.Contains("object-src 'none'", csp);
        Assert.Contains("frame-src 'none'", csp);
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Cross-Origin-Opener-Policy")));
    }

    [Fact]
    public async Task Security_headers_are_on_an_anonymous_api_refusal()
    {
        var response = await app.CreateClient().GetAsync("/api/v1/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(SecurityHeaders.ApiCsp, Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task The_api_reference_page_keeps_the_page_headers()
    {
        var response = await app.CreateClient().GetAsync("/api/reference");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("default-src 'self'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Theory]
    [InlineData("https://localhost", true)]
    [InlineData("http://localhost", false)]
    public async Task Strict_transport_security_is_sent_over_https_only(string origin, bool expected)
    {
        var client = app.CreateClient(new() { BaseAddress = new Uri(origin), AllowAutoRedirect = false });

        var response = await client.GetAsync("/account/login");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, response.Headers.TryGetValues("Strict-Transport-Security", out var hsts));
        if (expected) Assert.Equal("max-age=31536000", Assert.Single(hsts!));
    }

    [Fact]
    public async Task The_session_cookie_is_http_only_and_same_site_strict()
    {
        var op = await app.CreateOperatorAsync(Roles.Helpdesk);
        using var browser = new CookieBrowser(app);
        await browser.PasswordAsync(op.Email, op.Password);
        var token = await SecurityClients.AntiforgeryTokenAsync(browser.Follow, "/account/login-2fa?returnUrl=%2F");

        var signedIn = await browser.NoFollow.PostAsync("/account/login-2fa?returnUrl=%2F", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "second-factor", ["__RequestVerificationToken"] = token, ["Form.Code"] = op.Code(),
        }));

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var session = signedIn.Headers.GetValues("Set-Cookie").Where(c => c.StartsWith("adminportal=")).ToList();
        var cookie = Assert.Single(session);
        var attributes = cookie.Split(';').Select(a => a.Trim().ToLowerInvariant()).ToList();
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=strict", attributes);
        Assert.DoesNotContain(attributes, a => a.StartsWith("expires=") || a.StartsWith("max-age="));
    }

    [Fact]
    public async Task Every_cookie_the_login_sets_is_http_only()
    {
        var op = await app.CreateOperatorAsync(Roles.Helpdesk);
        using var browser = await new CookieBrowser(app).LoginAsync(op);

        var cookies = browser.Cookies.GetAllCookies();

        Assert.Contains(cookies, c => c.Name == "adminportal");
        Assert.All(cookies, c => Assert.True(c.HttpOnly, $"{c.Name} is readable by scripts"));
    }
}
