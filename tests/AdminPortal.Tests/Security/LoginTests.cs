using System.Net;
using AdminPortal.Data.Audit;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;
using static AdminPortal.Tests.Security.CookieBrowser;

namespace AdminPortal.Tests.Security;

public sealed class LoginTests(PortalApp app) : IClassFixture<PortalApp>
{
    [Fact]
    public async Task Password_then_totp_code_opens_the_dashboard_and_is_audited()
    {
        var op = await app.CreateOperatorAsync(Roles.Helpdesk);
        using var browser = new CookieBrowser(app);

        var secondStep = await browser.PasswordAsync(op.Email, op.Password);
        Assert.Equal("/account/login-2fa", PathOf(secondStep));
        var home = await browser.SecondFactorAsync(op.Code());

        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Equal("/", PathOf(home));
        Assert.Contains("Dashboard", await home.Content.ReadAsStringAsync());
        Assert.Equal(["operator.login.password_accepted", "operator.login.succeeded"], await app.AuditActionsAboutAsync($"operator:{op.Email}"));
    }

    [Fact]
    public async Task A_wrong_totp_code_is_refused_and_audited_as_a_failure()
    {
        var op = await app.CreateOperatorAsync(Roles.Helpdesk);
        using var browser = new CookieBrowser(app);
        await browser.PasswordAsync(op.Email, op.Password);

        var refused = await browser.SecondFactorAsync(SecurityClients.WrongCode(op));

        Assert.Equal("/account/login-2fa", PathOf(refused));
        Assert.Contains("That code is not valid", await refused.Content.ReadAsStringAsync());
        Assert.Equal("/account/login", PathOf(await browser.Follow.GetAsync("/")));
        var last = (await app.AuditAboutAsync($"operator:{op.Email}")).Last();
        Assert.Equal(("operator.login.second_factor_failed", AuditOutcome.Failure), (last.Action, last.Outcome));
    }

    [Fact]
    public async Task A_wrong_password_is_refused_and_audited_as_a_failed_login()
    {
        var op = await app.CreateOperatorAsync(Roles.Auditor);
        using var browser = new CookieBrowser(app);

        var refused = await browser.PasswordAsync(op.Email, "not the password at all");

        Assert.Equal("/account/login", PathOf(refused));
        Assert.Contains("The email or password is not right.", await refused.Content.ReadAsStringAsync());
        var events = await app.AuditAboutAsync($"operator:{op.Email}");
        var failed = Assert.Single(events);
        Assert.Equal(("operator.login.failed", AuditOutcome.Failure, op.Email), (failed.Action, failed.Outcome, failed.Actor));
    }

    [Fact]
    public async Task A_login_typed_in_other_case_is_audited_under_the_accounts_own_address()
    {
        var op = await app.CreateOperatorAsync(Roles.Auditor);
        using var browser = new CookieBrowser(app);

        await browser.PasswordAsync(op.Email.ToUpperInvariant(), "not the password at all");
        await browser.PasswordAsync(op.Email.ToUpperInvariant(), op.Password);

        var events = await app.AuditAboutAsync($"operator:{op.Email}");
        Assert.Equal(["operator.login.failed", "operator.login.password_accepted"], events.Select(e => e.Action));
        Assert.All(events, e => Assert.Equal(op.Email, e.Actor));
    }

    [Fact]
    public async Task An_unknown_email_is_refused_like_a_wrong_password_and_audited()
    {
        var email = $"nobody-{Guid.NewGuid():N}"[..16] + "@example.test";
        using var browser = new CookieBrowser(app);

        var refused = await browser.PasswordAsync(email, "whatever password");

        Assert.Contains("The email or password is not right.", await refused.Content.ReadAsStringAsync());
        Assert.Equal(["operator.login.failed"], await app.AuditActionsAboutAsync($"operator:{email}"));
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_so_even_the_right_password_is_refused()
    {
        var op = await app.CreateOperatorAsync(Roles.SecurityLead);
        using var browser = new CookieBrowser(app);

        for (var i = 0; i < 5; i++) await browser.PasswordAsync(op.Email, $"wrong password {i}");
        var sixth = await browser.PasswordAsync(op.Email, op.Password);

        Assert.Equal("/account/login", PathOf(sixth));
        Assert.Contains("this account is locked for 15 minutes", await sixth.Content.ReadAsStringAsync());
        Assert.Equal("/account/login", PathOf(await browser.Follow.GetAsync("/")));
        Assert.Equal(
            ["operator.login.failed", "operator.login.failed", "operator.login.failed", "operator.login.failed",
             "operator.login.locked_out", "operator.login.locked_out"],
            await app.AuditActionsAboutAsync($"operator:{op.Email}"));
        await using var db = await app.DbAsync();
        var lockedUntil = await db.Users.Where(u => u.Id == op.Id).Select(u => u.LockoutEnd).SingleAsync();
        Assert.InRange(lockedUntil!.Value, DateTimeOffset.UtcNow.AddMinutes(14), DateTimeOffset.UtcNow.AddMinutes(16));
    }

    [Fact]
    public async Task A_recovery_code_signs_in_once_and_not_twice()
    {
        var op = await app.CreateOperatorAsync(Roles.Admin);
        var code = (await app.RecoveryCodesAsync(op))[3];

        using (var first = new CookieBrowser(app))
        {
            await first.PasswordAsync(op.Email, op.Password);
            var home = await first.SecondFactorAsync(code, recovery: true);
            Assert.Equal("/", PathOf(home));
            Assert.Contains("Dashboard", await home.Content.ReadAsStringAsync());
        }
        using var second = new CookieBrowser(app);
        await second.PasswordAsync(op.Email, op.Password);
        var refused = await second.SecondFactorAsync(code, recovery: true);

        Assert.Equal("/account/login-2fa", PathOf(refused));
        Assert.Contains("That code is not valid", await refused.Content.ReadAsStringAsync());
        var actions = await app.AuditActionsAboutAsync($"operator:{op.Email}");
        Assert.Equal(["operator.login.succeeded_with_recovery_code", "operator.login.second_factor_failed"],
            actions.Where(a => a != "operator.login.password_accepted"));
    }

    [Fact]
    public async Task The_second_factor_page_without_a_password_step_signs_nobody_in()
    {
        var op = await app.CreateOperatorAsync(Roles.Admin);
        using var browser = new CookieBrowser(app);

        var refused = await browser.SecondFactorAsync(op.Code());

        Assert.Equal("/account/login-2fa", PathOf(refused));
        Assert.Equal("/account/login", PathOf(await browser.Follow.GetAsync("/")));
    }

    [Fact]
    public async Task Logging_out_ends_the_session()
    {
        var op = await app.CreateOperatorAsync(Roles.Auditor);
        using var browser = await new CookieBrowser(app).LoginAsync(op);

        var token = await SecurityClients.AntiforgeryTokenAsync(browser.Follow, "/");
        var loggedOut = await browser.Follow.PostAsync("/account/logout",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));

        Assert.Equal("/account/login", PathOf(loggedOut));
        Assert.Equal("/account/login", PathOf(await browser.Follow.GetAsync("/audit")));
        Assert.Contains("operator.logout", await app.AuditActionsAboutAsync($"operator:{op.Email}"));
    }

    public static TheoryData<string, string> ReturnUrls => new()
    {
        { "/audit", "/audit" },
        { "/audit?action=operator.login", "/audit?action=operator.login" },
        { "https://evil.example/", "/" },
        { "//evil.example/", "/" },
        { "/\\evil.example/", "/" },
        { "javascript:alert(1)", "/" },
    };

    [Theory]
    [MemberData(nameof(ReturnUrls))]
    public async Task After_the_second_factor_only_a_local_return_url_is_followed(string returnUrl, string expected)
    {
        var op = await app.CreateOperatorAsync(Roles.Admin);
        using var browser = new CookieBrowser(app);
        var login = "/account/login?returnUrl=" + Uri.EscapeDataString(returnUrl);
        var secondStep = await Forms.PostAsync(browser.Follow, login, "login", new() { ["Form.Email"] = op.Email, ["Form.Password"] = op.Password });
        Assert.Equal("/account/login-2fa", PathOf(secondStep));
        // The crafted address goes to the second-factor page directly too, not only through the login page.
        var direct = "/account/login-2fa?returnUrl=" + Uri.EscapeDataString(returnUrl);
        var token = await SecurityClients.AntiforgeryTokenAsync(browser.Follow, direct);

        var signedIn = await browser.NoFollow.PostAsync(direct, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "second-factor", ["__RequestVerificationToken"] = token, ["Form.Code"] = op.Code(),
        }));

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var location = signedIn.Headers.Location!;
        Assert.True(!location.IsAbsoluteUri || location.Host == "localhost", $"redirected off-site to {location}");
        Assert.Equal(expected, location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString);
        Assert.Contains($"returnUrl={Uri.EscapeDataString(expected)}", secondStep.RequestMessage!.RequestUri!.Query);
    }

    [Fact]
    public async Task Logging_out_without_the_antiforgery_token_is_refused_and_the_session_survives()
    {
        var op = await app.CreateOperatorAsync(Roles.Auditor);
        using var browser = await new CookieBrowser(app).LoginAsync(op);

        var forged = await browser.NoFollow.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>()));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.NoFollow.GetAsync("/audit")).StatusCode);
        Assert.DoesNotContain("operator.logout", await app.AuditActionsAboutAsync($"operator:{op.Email}"));
    }
}
