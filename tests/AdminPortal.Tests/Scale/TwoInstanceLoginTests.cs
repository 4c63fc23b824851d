using System.Net;
using System.Text.RegularExpressions;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Security;
using Xunit.Abstractions;

namespace AdminPortal.Tests.Scale;

/// <summary>
/// The Data Protection keys live in the database, so whatever one instance protects the other can read: a login
/// that alternates between two portal processes (as a load balancer without affinity would send it) succeeds,
/// the antiforgery token of a form served by one instance is accepted by the other, and the session cookie is
/// valid on both. Both processes start on an empty database at the same moment and are asked for their first
/// page at once, so each may make a key of its own: they must still agree.
/// </summary>
[Collection(TwoPortals.Collection)]
public sealed partial class TwoInstanceLoginTests(ITestOutputHelper output)
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    /// <summary>An in-process portal (a third instance) on the same database and volume, used to create an operator with a known TOTP secret.</summary>
    private sealed class OperatorMaker(TwoPortals portals) : PortalApp(portals.Database, portals.DataDirectory);

    [Fact]
    public async Task A_login_alternating_between_instances_works_and_its_cookie_and_forms_are_accepted_by_both()
    {
        await using var portals = await TwoPortals.StartAsync();
        var cookies = new CookieContainer(); // one browser: cookies belong to the host name, not the port
        using var a = Browser(portals.UrlA, cookies);
        using var b = Browser(portals.UrlB, cookies);
        // The first page of each at the same moment: each instance may create the first key.
        await Task.WhenAll(a.GetStringAsync("/account/login"), b.GetStringAsync("/account/login"));

        // Kept to the end: the last PortalApp on a data directory deletes it when disposed.
        using var maker = new OperatorMaker(portals);
        var op = await maker.CreateOperatorAsync(Roles.Admin);

        // Password: the form (and its antiforgery token and cookie) from A, posted to B.
        var form = await a.GetStringAsync("/account/login");
        var posted = await b.PostAsync("/account/login", Fields(form, "login", new() { ["Form.Email"] = op.Email, ["Form.Password"] = op.Password }));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var secondStep = PathOf(posted);
        Assert.StartsWith("/account/login-2fa", secondStep);

        // Second factor: B's partial sign-in cookie read by A, the form from A posted to B again.
        var twoFactorForm = await a.GetStringAsync(secondStep);
        var done = await b.PostAsync(secondStep, Fields(twoFactorForm, "second-factor", new() { ["Form.Code"] = op.Code() }));
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal("/", PathOf(done));

        // The session cookie B issued opens the portal on both instances.
        foreach (var (name, client) in new[] { ("A", a), ("B", b) })
        {
            var home = await client.GetAsync("/");
            Assert.True(home.StatusCode == HttpStatusCode.OK, $"instance {name}: {(int)home.StatusCode} {home.Headers.Location}");
        }

        // Controls: without the cookie both send the visitor to the login page, and a forged token is refused.
        using var stranger = Browser(portals.UrlB, new CookieContainer());
        Assert.Equal(HttpStatusCode.Redirect, (await stranger.GetAsync("/")).StatusCode);
        var forged = Fields(await a.GetStringAsync("/account/login"), "login", new() { ["Form.Email"] = op.Email, ["Form.Password"] = op.Password }, tamper: true);
        Assert.Equal(HttpStatusCode.BadRequest, (await b.PostAsync("/account/login", forged)).StatusCode);

        var keys = await portals.ScalarAsync<long>("SELECT count(*) FROM \"DataProtectionKeys\"");
        output.WriteLine($"Data Protection keys in the database after both instances' first pages: {keys}");
        Assert.InRange(keys, 1, 2);
    }

    private static string PathOf(HttpResponseMessage redirect) => new Uri(redirect.RequestMessage!.RequestUri!, redirect.Headers.Location!).PathAndQuery;

    private static HttpClient Browser(Uri url, CookieContainer cookies) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = cookies, UseCookies = true }) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };

    private static FormUrlEncodedContent Fields(string page, string handler, Dictionary<string, string> fields, bool tamper = false)
    {
        var token = AntiforgeryField().Match(page);
        Assert.True(token.Success, "no antiforgery token on the page");
        var value = WebUtility.HtmlDecode(token.Groups[1].Value);
        if (tamper) value = value[..^4] + (value[^4] == 'A' ? "B" : "A") + value[^3..];
        return new FormUrlEncodedContent(new Dictionary<string, string>(fields) { ["_handler"] = handler, ["__RequestVerificationToken"] = value });
    }
}
