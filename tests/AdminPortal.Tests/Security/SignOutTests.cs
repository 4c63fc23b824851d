using System.Net;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Security;

namespace AdminPortal.Tests.Security;

/// <summary>
/// Signing out ends the session on the server: every copy of its cookie (one stolen from a browser, a proxy log or a
/// backup) is refused afterwards, on every instance, while the operator's other sessions go on.
/// </summary>
public sealed class SignOutTests(PortalApp app) : IClassFixture<PortalApp>
{
    /// <summary>A second portal on the same database and data directory (another instance behind the load balancer).</summary>
    private sealed class SecondInstance(PortalApp first) : PortalApp(first.Database, first.DataDirectory);

    [Fact]
    public async Task A_copied_cookie_is_refused_by_the_api_and_the_pages_once_its_session_signed_out()
    {
        var op = await app.CreateOperatorAsync(Roles.Auditor);
        using var browser = await new CookieBrowser(app).LoginAsync(op);
        using var copy = CopyOf(browser, app);
        Assert.Equal(HttpStatusCode.OK, (await copy.NoFollow.GetAsync("/api/v1/me")).StatusCode);

        await SignOutAsync(browser);

        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.NoFollow.GetAsync("/api/v1/me")).StatusCode);
        AssertSentToLogin(await copy.NoFollow.GetAsync("/audit"));
        Assert.Contains("operator.logout", await app.AuditActionsAboutAsync($"operator:{op.Email}"));
    }

    [Fact]
    public async Task Signing_out_ends_only_that_session_and_not_the_operators_others()
    {
        var op = await app.CreateOperatorAsync(Roles.Auditor);
        using var laptop = await new CookieBrowser(app).LoginAsync(op);
        using var desktop = await new CookieBrowser(app).LoginAsync(op);

        await SignOutAsync(laptop);

        Assert.Equal(HttpStatusCode.OK, (await desktop.NoFollow.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await desktop.NoFollow.GetAsync("/audit")).StatusCode);
    }

    [Fact]
    public async Task A_sign_out_on_one_instance_ends_the_copied_cookie_on_the_other_at_its_next_request()
    {
        using var second = new SecondInstance(app);
        _ = second.Server;
        var listening = second.Service<SessionCache>();
        for (var i = 0; i < 300 && !listening.Live; i++) await Task.Delay(100);
        Assert.True(listening.Live, "the second instance's invalidation listener is connected");
        var op = await app.CreateOperatorAsync(Roles.Auditor);
        using var browser = await new CookieBrowser(app).LoginAsync(op);
        using var copy = CopyOf(browser, second);
        // Used on the second instance first, so that it holds the session in memory.
        Assert.Equal(HttpStatusCode.OK, (await copy.NoFollow.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await copy.NoFollow.GetAsync("/audit")).StatusCode);

        await SignOutAsync(browser);

        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.NoFollow.GetAsync("/api/v1/me")).StatusCode);
        AssertSentToLogin(await copy.NoFollow.GetAsync("/audit"));
    }

    /// <summary>Another browser holding the same cookies (against <paramref name="portal"/>, which may be another instance).</summary>
    private static CookieBrowser CopyOf(CookieBrowser browser, PortalApp portal)
    {
        var copy = new CookieBrowser(portal);
        foreach (Cookie c in browser.Cookies.GetAllCookies()) copy.Cookies.Add(new Cookie(c.Name, c.Value, c.Path, c.Domain));
        return copy;
    }

    private static async Task SignOutAsync(CookieBrowser browser)
    {
        var token = await SecurityClients.AntiforgeryTokenAsync(browser.Follow, "/");
        var signedOut = await browser.Follow.PostAsync("/account/logout",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal("/account/login", CookieBrowser.PathOf(signedOut));
    }

    private static void AssertSentToLogin(HttpResponseMessage page) =>
        Assert.True(page.StatusCode == HttpStatusCode.Redirect && page.Headers.Location!.AbsolutePath == "/account/login",
            $"{(int)page.StatusCode} {page.Headers.Location}");
}
