using System.Net;
using AdminPortal.Data.Audit;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Operators;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;
using static AdminPortal.Tests.Security.CookieBrowser;

namespace AdminPortal.Tests.Security;

/// <summary>A disabled operator gets no session: not through a pending setup link, not with an old cookie.</summary>
public sealed class DisabledOperatorTests(ClockedPortalApp app) : IClassFixture<ClockedPortalApp>
{
    private const string Password = "a long enough new passphrase";

    private async Task<(string Id, string Email, string Link)> InviteAsync()
    {
        var email = $"invitee-{Guid.NewGuid():N}"[..18] + "@example.test";
        var invited = await app.Service<OperatorService>().InviteAsync(email, "Invited", Roles.Helpdesk, AuditActor.System, default);
        Assert.True(invited.Ok, invited.Error?.Detail);
        return (invited.Value!.Operator.Id, email, new Uri(invited.Value.SetupLink).PathAndQuery);
    }

    /// <summary>Disables without the service (no stamp change, links left alone), as a concurrent change could.</summary>
    private async Task MarkDisabledAsync(string id)
    {
        await using var db = await app.DbAsync();
        await db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(u => u.SetProperty(x => x.IsDisabled, true));
    }

    [Fact]
    public async Task Disabling_an_invited_operator_withdraws_the_setup_link()
    {
        var (id, _, link) = await InviteAsync();

        Assert.True((await app.Service<OperatorService>().SetDisabledAsync(id, true, AuditActor.System, default)).Ok);

        Assert.Equal(HttpStatusCode.Gone, (await app.CreateClient().GetAsync(link)).StatusCode);
    }

    [Fact]
    public async Task A_setup_link_of_a_disabled_operator_sets_no_password_and_opens_no_session()
    {
        var (id, email, link) = await InviteAsync();
        await MarkDisabledAsync(id);
        using var browser = new CookieBrowser(app);

        var refused = await Forms.PostAsync(browser.Follow, link, "setup", new() { ["Form.Password"] = Password, ["Form.Confirm"] = Password });

        Assert.StartsWith("/account/setup/", PathOf(refused));
        Assert.Contains("disabled", await refused.Content.ReadAsStringAsync());
        Assert.DoesNotContain("operator.setup.completed", await app.AuditActionsAboutAsync($"operator:{email}"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.NoFollow.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task A_cookie_of_an_operator_disabled_without_a_stamp_change_is_rejected_at_revalidation()
    {
        var op = await app.CreateOperatorAsync(Roles.Auditor);
        using var browser = await new CookieBrowser(app).LoginAsync(op);
        await MarkDisabledAsync(op.Id);

        app.Clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.NoFollow.GetAsync("/api/v1/me")).StatusCode);
    }
}
