using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using static AdminPortal.Tests.Security.CookieBrowser;

namespace AdminPortal.Tests.Security;

/// <summary>
/// Guessing is limited per account, with the configured limit (Identity's lockout): wrong passwords
/// (<see cref="LoginTests"/>) and, here, wrong second-factor codes, so a stolen password does not open a
/// million-code search.
/// </summary>
public sealed class LoginLimitTests(PortalApp app) : IClassFixture<PortalApp>
{
    [Fact]
    public async Task Wrong_second_factor_codes_up_to_the_configured_limit_lock_the_account_so_even_the_right_code_is_refused()
    {
        var lockout = app.Service<IOptions<IdentityOptions>>().Value.Lockout;
        var op = await app.CreateOperatorAsync(Roles.Admin);
        using var browser = new CookieBrowser(app);

        for (var i = 0; i < lockout.MaxFailedAccessAttempts; i++)
        {
            Assert.Equal("/account/login-2fa", PathOf(await browser.PasswordAsync(op.Email, op.Password)));
            await browser.SecondFactorAsync(SecurityClients.WrongCode(op));
        }
        var afterLimit = await browser.PasswordAsync(op.Email, op.Password);

        Assert.Equal("/account/login", PathOf(afterLimit));
        Assert.Contains($"this account is locked for {lockout.DefaultLockoutTimeSpan.TotalMinutes:0} minutes", await afterLimit.Content.ReadAsStringAsync());
        Assert.Equal("/account/login", PathOf(await browser.Follow.GetAsync("/")));
        var actions = await app.AuditActionsAboutAsync($"operator:{op.Email}");
        Assert.Contains("operator.login.locked_out", actions);
        Assert.DoesNotContain("operator.login.succeeded", actions);
    }
}

/// <summary>Guessing across accounts is limited per client address (the configured number of failures per window).</summary>
public sealed class LoginThrottleTests(LoginThrottleTests.ThrottledPortal app) : IClassFixture<LoginThrottleTests.ThrottledPortal>
{
    public sealed class ThrottledPortal : PortalApp
    {
        public const int Limit = 4;
        protected override IEnumerable<KeyValuePair<string, string>> Settings() => [new("Portal:LoginThrottle:FailuresPerAddress", $"{Limit}")];
    }

    [Fact]
    public async Task Failed_sign_ins_on_many_accounts_from_one_address_get_429_even_with_a_right_password_and_one_audit_event()
    {
        var op = await app.CreateOperatorAsync(Roles.Admin);
        using var browser = new CookieBrowser(app);

        for (var i = 0; i < ThrottledPortal.Limit; i++)
        {
            var wrong = await browser.PasswordAsync($"nobody{i}@example.test", "not the password");
            Assert.Contains("The email or password is not right.", await wrong.Content.ReadAsStringAsync());
        }
        var refused = await browser.PasswordAsync(op.Email, op.Password);

        Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("Too many failed sign-ins from your network address", await refused.Content.ReadAsStringAsync());
        Assert.Equal("/account/login", PathOf(await browser.Follow.GetAsync("/")));
        var actions = await app.AuditActionsAboutAsync($"operator:{op.Email}");
        Assert.DoesNotContain("operator.login.password_accepted", actions);
        await using var db = await app.DbAsync();
        Assert.Equal(1, await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.AuditEvents, e => e.Action == "operator.login.throttled"));
    }
}
