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
