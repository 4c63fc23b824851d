using System.Net;
using System.Text.RegularExpressions;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Security;
using static AdminPortal.Tests.Security.CookieBrowser;

namespace AdminPortal.Tests.Security;

public sealed partial class EnrolmentTests(PortalApp app) : IClassFixture<PortalApp>
{
    [GeneratedRegex("data-testid=\"totp-key\">([^<]+)<")]
    private static partial Regex TotpKey();

    [GeneratedRegex("<li><code>([^<]+)</code></li>")]
    private static partial Regex RecoveryCode();

    [Fact]
    public async Task An_operator_without_a_second_factor_is_sent_to_enrolment_after_the_password()
    {
        var op = await app.CreateOperatorAsync(Roles.Helpdesk, enrolTotp: false);
        using var browser = new CookieBrowser(app);

        var page = await browser.PasswordAsync(op.Email, op.Password);

        Assert.Equal("/account/enrol", PathOf(page));
        Assert.Matches(TotpKey(), await page.Content.ReadAsStringAsync());
    }

    public static TheoryData<string> PortalPages => ["/", "/audit", "/operators", "/settings"];

    [Theory]
    [MemberData(nameof(PortalPages))]
    public async Task A_password_only_session_opens_no_page_only_enrolment(string page)
    {
        var op = await app.CreateOperatorAsync(Roles.Admin, enrolTotp: false);
        using var browser = new CookieBrowser(app);
        await browser.PasswordAsync(op.Email, op.Password);

        var direct = await browser.NoFollow.GetAsync(page);
        var followed = await browser.Follow.GetAsync(page);

        Assert.Equal(HttpStatusCode.Redirect, direct.StatusCode);
        Assert.Equal("/account/enrol", PathOf(followed));
        Assert.DoesNotContain("page-title", await followed.Content.ReadAsStringAsync());
    }

    public static TheoryData<string, string> ApiCalls => new()
    {
        { "GET", "/api/v1/me" }, { "GET", "/api/v1/audit" }, { "GET", "/api/v1/operators" }, { "GET", "/api/v1/tokens" },
        { "POST", "/api/v1/audit/checkpoints" },
    };

    [Theory]
    [MemberData(nameof(ApiCalls))]
    public async Task A_password_only_session_is_forbidden_on_the_api(string method, string path)
    {
        var op = await app.CreateOperatorAsync(Roles.Admin, enrolTotp: false);
        using var browser = new CookieBrowser(app);
        await browser.PasswordAsync(op.Email, op.Password);
        var before = await app.RowCountsAsync();

        var response = await browser.NoFollow.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        // Reads: refused for want of the second factor. Changes: the API takes only bearer tokens for those.
        await response.AssertProblemAsync(method == "GET" ? HttpStatusCode.Forbidden : HttpStatusCode.Unauthorized);
        Assert.Equal(before, await app.RowCountsAsync());
    }

    [Fact]
    public async Task Enrolling_with_a_code_from_the_shown_key_opens_the_dashboard_and_shows_ten_recovery_codes()
    {
        var op = await app.CreateOperatorAsync(Roles.Auditor, enrolTotp: false);
        using var browser = new CookieBrowser(app);
        var enrolPage = await browser.PasswordAsync(op.Email, op.Password);
        var key = TotpKey().Match(await enrolPage.Content.ReadAsStringAsync()).Groups[1].Value.Replace(" ", "").ToUpperInvariant();
        var enrolled = op with { TotpSecret = key };

        var done = await Forms.PostAsync(browser.Follow, "/account/enrol", "enrol", new() { ["Form.Code"] = enrolled.Code() });

        var html = await done.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"recovery-codes\"", html);
        var codes = RecoveryCode().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(10, codes.Distinct().Count());
        var home = await browser.NoFollow.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("Dashboard", await home.Content.ReadAsStringAsync());
        Assert.Contains("operator.2fa.enrolled", await app.AuditActionsAboutAsync($"operator:{op.Email}"));

        // The enrolled key and the shown recovery codes are what the next logins use.
        using var next = await new CookieBrowser(app).LoginAsync(enrolled);
        using var withRecovery = new CookieBrowser(app);
        await withRecovery.PasswordAsync(op.Email, op.Password);
        Assert.Equal("/", PathOf(await withRecovery.SecondFactorAsync(codes[0], recovery: true)));
    }

    [Fact]
    public async Task A_wrong_enrolment_code_leaves_the_second_factor_off()
    {
        var op = await app.CreateOperatorAsync(Roles.Auditor, enrolTotp: false);
        using var browser = new CookieBrowser(app);
        var enrolPage = await browser.PasswordAsync(op.Email, op.Password);
        var key = TotpKey().Match(await enrolPage.Content.ReadAsStringAsync()).Groups[1].Value.Replace(" ", "").ToUpperInvariant();

        var refused = await Forms.PostAsync(browser.Follow, "/account/enrol", "enrol",
            new() { ["Form.Code"] = SecurityClients.WrongCode(op with { TotpSecret = key }) });

        Assert.Contains("That code is not valid", await refused.Content.ReadAsStringAsync());
        Assert.Equal("/account/enrol", PathOf(await browser.Follow.GetAsync("/")));
        Assert.DoesNotContain("operator.2fa.enrolled", await app.AuditActionsAboutAsync($"operator:{op.Email}"));
    }
}
