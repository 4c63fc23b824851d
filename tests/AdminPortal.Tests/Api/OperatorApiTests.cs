using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using AdminPortal.Data.Audit;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Tests.Security;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Operators;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;
using static AdminPortal.Tests.Security.CookieBrowser;

namespace AdminPortal.Tests.Api;

public sealed partial class OperatorApiTests(PortalApp app) : IClassFixture<PortalApp>
{
    [GeneratedRegex("data-testid=\"totp-key\">([^<]+)<")]
    private static partial Regex TotpKey();

    [Fact]
    public async Task Inviting_an_operator_creates_them_without_a_password_and_audits_it()
    {
        using var admin = await app.TokenClientAsync(Roles.Admin);
        var email = $"new-{Guid.NewGuid():N}"[..14] + "@example.test";

        var created = await admin.PostAsJsonAsync("/api/v1/operators", new { email, displayName = "New Person", role = Roles.SecurityLead });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var op = (await created.JsonAsync()).GetProperty("operator");
        Assert.Equal((email, Roles.SecurityLead, false, false),
            (op.GetProperty("email").GetString(), op.GetProperty("role").GetString(), op.GetProperty("passwordSet").GetBoolean(), op.GetProperty("twoFactorEnabled").GetBoolean()));
        var listed = await admin.GetStringAsync("/api/v1/operators");
        Assert.Contains(email, listed);
        Assert.DoesNotContain("passwordHash", listed, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("securityStamp", listed, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AQAAAA", listed); // the prefix of every Identity password hash
        var invited = Assert.Single(await app.AuditAboutAsync($"operator:{email}"));
        Assert.Equal("operator.invited", invited.Action);
        Assert.StartsWith("token:", invited.Actor);
        Assert.Contains(Roles.SecurityLead, invited.Details);

        var twice = await admin.PostAsJsonAsync("/api/v1/operators", new { email, role = Roles.Helpdesk });
        await twice.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_changed_role_takes_effect_at_the_next_login_and_is_audited()
    {
        using var admin = await app.TokenClientAsync(Roles.Admin);
        var op = await app.CreateOperatorAsync(Roles.Helpdesk);
        using (var before = await new CookieBrowser(app).LoginAsync(op))
            Assert.Equal(HttpStatusCode.Redirect, (await before.NoFollow.GetAsync("/audit")).StatusCode);

        var changed = await admin.PutAsJsonAsync($"/api/v1/operators/{op.Id}/role", new { role = "AUDITOR" });

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(Roles.Auditor, (await changed.JsonAsync()).GetProperty("role").GetString());
        using var after = await new CookieBrowser(app).LoginAsync(op);
        Assert.Equal(HttpStatusCode.OK, (await after.NoFollow.GetAsync("/audit")).StatusCode);
        Assert.Equal(Roles.Auditor, (await (await after.NoFollow.GetAsync("/api/v1/me")).JsonAsync()).GetProperty("role").GetString());
        var audit = (await app.AuditAboutAsync($"operator:{op.Email}")).Single(e => e.Action == "operator.role.changed");
        Assert.Contains("\"from\":\"Helpdesk\"", audit.Details);
        Assert.Contains("\"to\":\"Auditor\"", audit.Details);
    }

    [Fact]
    public async Task A_changed_role_changes_the_security_stamp_so_open_sessions_are_revalidated()
    {
        using var admin = await app.TokenClientAsync(Roles.Admin);
        var op = await app.CreateOperatorAsync(Roles.Helpdesk);
        var stampBefore = await StampAsync(op.Id);

        await admin.PutAsJsonAsync($"/api/v1/operators/{op.Id}/role", new { role = Roles.Auditor });

        Assert.NotEqual(stampBefore, await StampAsync(op.Id));
    }

    [Fact]
    public async Task A_disabled_operator_cannot_log_in_until_enabled_again()
    {
        using var admin = await app.TokenClientAsync(Roles.Admin);
        var op = await app.CreateOperatorAsync(Roles.Auditor);

        var disabled = await admin.PostAsync($"/api/v1/operators/{op.Id}/disable", null);

        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.True((await disabled.JsonAsync()).GetProperty("isDisabled").GetBoolean());
        using (var refused = new CookieBrowser(app))
        {
            var page = await refused.PasswordAsync(op.Email, op.Password);
            Assert.Equal("/account/login", PathOf(page));
            Assert.Contains("login-error", await page.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/operators/{op.Id}/enable", null)).StatusCode);
        using var again = await new CookieBrowser(app).LoginAsync(op);
        Assert.Equal(
            ["operator.disabled", "operator.login.failed", "operator.enabled", "operator.login.password_accepted", "operator.login.succeeded"],
            await app.AuditActionsAboutAsync($"operator:{op.Email}"));
    }

    [Fact]
    public async Task Resetting_the_second_factor_sends_the_operator_back_to_enrolment()
    {
        using var admin = await app.TokenClientAsync(Roles.Admin);
        var op = await app.CreateOperatorAsync(Roles.SecurityLead);
        await app.RecoveryCodesAsync(op);

        var reset = await admin.PostAsync($"/api/v1/operators/{op.Id}/reset-2fa", null);

        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.False((await reset.JsonAsync()).GetProperty("twoFactorEnabled").GetBoolean());
        using var browser = new CookieBrowser(app);
        var enrol = await browser.PasswordAsync(op.Email, op.Password);
        Assert.Equal("/account/enrol", PathOf(enrol));
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.NoFollow.GetAsync("/api/v1/me")).StatusCode);
        Assert.Contains("operator.2fa.reset", await app.AuditActionsAboutAsync($"operator:{op.Email}"));

        // The old authenticator and recovery codes are gone: enrolment shows a new key, and the old one is refused.
        var shownKey = TotpKey().Match(await enrol.Content.ReadAsStringAsync()).Groups[1].Value.Replace(" ", "").ToUpperInvariant();
        Assert.NotEqual(op.TotpSecret, shownKey);
        var refused = await Forms.PostAsync(browser.Follow, "/account/enrol", "enrol", new() { ["Form.Code"] = op.Code() });
        Assert.Contains("That code is not valid", await refused.Content.ReadAsStringAsync());
        await using var db = await app.DbAsync();
        Assert.False(await db.UserTokens.AnyAsync(t => t.UserId == op.Id && t.Name == "RecoveryCodes"));
    }

    public static TheoryData<string, string, string?> ChangesOfAnUnknownOperator => new()
    {
        { "PUT", "role", """{"role":"Auditor"}""" },
        { "POST", "disable", null },
        { "POST", "enable", null },
        { "POST", "reset-2fa", null },
    };

    [Theory]
    [MemberData(nameof(ChangesOfAnUnknownOperator))]
    public async Task Changing_an_unknown_operator_is_not_found_and_writes_nothing(string method, string action, string? body)
    {
        using var admin = await app.TokenClientAsync(Roles.Admin);
        var before = await app.RowCountsAsync();

        var response = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/api/v1/operators/{Guid.NewGuid()}/{action}")
        {
            Content = body is null ? null : SecurityClients.Json(body),
        });

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(before, await app.RowCountsAsync());
    }

    [Fact]
    public async Task An_admin_cannot_disable_themself()
    {
        await app.CreateOperatorAsync(Roles.Admin);
        var me = await app.CreateOperatorAsync(Roles.Admin);
        var before = await app.RowCountsAsync();

        // As on the Operators page, where an operator acts as themself (the API's bearer tokens are not operators).
        var refused = await app.Service<OperatorService>().SetDisabledAsync(me.Id, true, new AuditActor(me.Email, Roles.Admin, null), default);

        Assert.IsType<Conflict>(refused.Error);
        Assert.Equal(before, await app.RowCountsAsync());
    }

    private async Task<string?> StampAsync(string id)
    {
        await using var db = await app.DbAsync();
        return await db.Users.Where(u => u.Id == id).Select(u => u.SecurityStamp).SingleAsync();
    }
}
