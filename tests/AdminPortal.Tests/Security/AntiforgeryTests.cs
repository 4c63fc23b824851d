using System.Net;
using AdminPortal.Data.Audit;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Operators;
using AdminPortal.Web.Security;

namespace AdminPortal.Tests.Security;

/// <summary>
/// Every form the portal accepts by POST (the account pages and the sign-out endpoint), submitted without the
/// antiforgery token or with another browser's, is refused with 400 and changes nothing: no session, no
/// password, no second factor, no audit event.
/// </summary>
public sealed class AntiforgeryTests(PortalApp app) : IClassFixture<PortalApp>
{
    public static TheoryData<string, string> Forgeries()
    {
        var data = new TheoryData<string, string>();
        foreach (var form in (string[])["login", "second factor", "enrolment", "setup link", "sign-out"])
        {
            data.Add(form, "no token");
            data.Add(form, "another browser's token");
        }
        return data;
    }

    /// <summary>A browser at the step where the form is shown, the form's address and handler, and fields that would succeed.</summary>
    private async Task<(CookieBrowser Browser, string Url, string Handler, Dictionary<string, string> Fields)> AtFormAsync(string form)
    {
        var browser = new CookieBrowser(app);
        switch (form)
        {
            case "login":
                var op = await app.CreateOperatorAsync(Roles.Auditor);
                return (browser, "/account/login", "login", new() { ["Form.Email"] = op.Email, ["Form.Password"] = op.Password });
            case "second factor":
                var twoStep = await app.CreateOperatorAsync(Roles.Auditor);
                Assert.Equal("/account/login-2fa", CookieBrowser.PathOf(await browser.PasswordAsync(twoStep.Email, twoStep.Password)));
                return (browser, "/account/login-2fa?returnUrl=%2F", "second-factor", new() { ["Form.Code"] = twoStep.Code() });
            case "enrolment":
                var enrolling = await app.CreateOperatorAsync(Roles.Auditor, enrolTotp: false);
                Assert.Equal("/account/enrol", CookieBrowser.PathOf(await browser.PasswordAsync(enrolling.Email, enrolling.Password)));
                return (browser, "/account/enrol", "enrol", new() { ["Form.Code"] = "123456" });
            case "setup link":
                var email = $"forged-{Guid.NewGuid():N}"[..18] + "@example.test";
                var invited = await app.Service<OperatorService>().InviteAsync(email, "Invited", Roles.Helpdesk, AuditActor.System, default);
                const string password = "a long enough new passphrase";
                return (browser, new Uri(invited.Value!.SetupLink).PathAndQuery, "setup", new() { ["Form.Password"] = password, ["Form.Confirm"] = password });
            default:
                await browser.LoginAsync(await app.CreateOperatorAsync(Roles.Auditor));
                return (browser, "/account/logout", "", []);
        }
    }

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task A_form_posted_without_a_valid_antiforgery_token_is_refused_and_changes_nothing(string form, string forgery)
    {
        var (browser, url, handler, fields) = await AtFormAsync(form);
        using var _ = browser;
        var signedInBefore = (await browser.NoFollow.GetAsync("/api/v1/me")).StatusCode;
        var before = await app.RowCountsAsync();
        var body = new Dictionary<string, string>(fields);
        if (handler.Length > 0) body["_handler"] = handler;
        if (forgery == "another browser's token")
        {
            using var other = new CookieBrowser(app);
            body["__RequestVerificationToken"] = await SecurityClients.AntiforgeryTokenAsync(other.Follow, "/account/login");
        }

        var response = await browser.NoFollow.PostAsync(url, new FormUrlEncodedContent(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith("adminportal="));
        Assert.Equal(before, await app.RowCountsAsync());
        Assert.Equal(signedInBefore, (await browser.NoFollow.GetAsync("/api/v1/me")).StatusCode);
    }
}
