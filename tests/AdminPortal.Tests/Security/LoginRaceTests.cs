using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.Security;

/// <summary>Lockout counts every failed attempt, also when they arrive together.</summary>
public sealed class LoginRaceTests(PortalApp app) : IClassFixture<PortalApp>
{
    private static async Task<List<HttpResponseMessage>> PostTogetherAsync(IReadOnlyList<CookieBrowser> browsers, string url, string form, Func<int, Dictionary<string, string>> fields)
    {
        var tokens = await Task.WhenAll(browsers.Select(b => SecurityClients.AntiforgeryTokenAsync(b.Follow, url)));
        return (await Task.WhenAll(browsers.Select((b, i) => b.Follow.PostAsync(url, new FormUrlEncodedContent(
            new Dictionary<string, string>(fields(i)) { ["_handler"] = form, ["__RequestVerificationToken"] = tokens[i] }))))).ToList();
    }

    private async Task<(int Failed, DateTimeOffset? LockedUntil)> LockoutStateAsync(string id)
    {
        await using var db = await app.DbAsync();
        var u = await db.Users.AsNoTracking().SingleAsync(x => x.Id == id);
        return (u.AccessFailedCount, u.LockoutEnd);
    }

    [Fact]
    public async Task Ten_wrong_passwords_sent_at_once_all_count_and_lock_the_account()
    {
        var op = await app.CreateOperatorAsync(Roles.Admin);
        var browsers = Enumerable.Range(0, 10).Select(_ => new CookieBrowser(app)).ToList();

        await PostTogetherAsync(browsers, "/account/login", "login", i => new() { ["Form.Email"] = op.Email, ["Form.Password"] = $"wrong password {i}" });

        var (_, lockedUntil) = await LockoutStateAsync(op.Id);
        Assert.True(lockedUntil > DateTimeOffset.UtcNow, $"not locked out: {await LockoutStateAsync(op.Id)}");
        Assert.Equal(10, (await app.AuditAboutAsync($"operator:{op.Email}")).Count(e => e.Action is "operator.login.failed" or "operator.login.locked_out"));
        browsers.ForEach(b => b.Dispose());
    }

    [Fact]
    public async Task Ten_wrong_codes_sent_at_once_after_the_password_all_count_and_lock_the_account()
    {
        var op = await app.CreateOperatorAsync(Roles.Admin);
        var browsers = Enumerable.Range(0, 10).Select(_ => new CookieBrowser(app)).ToList();
        foreach (var b in browsers) Assert.Equal("/account/login-2fa", CookieBrowser.PathOf(await b.PasswordAsync(op.Email, op.Password)));

        await PostTogetherAsync(browsers, "/account/login-2fa?returnUrl=%2F", "second-factor", _ => new() { ["Form.Code"] = SecurityClients.WrongCode(op) });

        var (_, lockedUntil) = await LockoutStateAsync(op.Id);
        Assert.True(lockedUntil > DateTimeOffset.UtcNow, $"not locked out: {await LockoutStateAsync(op.Id)}");
        browsers.ForEach(b => b.Dispose());
    }
}
