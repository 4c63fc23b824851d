using System.Net;
using System.Net.Http.Json;
using AdminPortal.Data.Audit;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Operators;
using AdminPortal.Web.Security;
using static AdminPortal.Tests.Security.CookieBrowser;

namespace AdminPortal.Tests.Security;

public sealed class SetupLinkTests(PortalApp app) : IClassFixture<PortalApp>
{
    private const string NewPassword = "a long enough new passphrase";

    private static string NewEmail() => $"invitee-{Guid.NewGuid():N}"[..18] + "@example.test";

    private async Task<string> InviteAsync(string email, string role = Roles.Helpdesk)
    {
        var invited = await app.Service<OperatorService>().InviteAsync(email, "Invited Person", role, AuditActor.System, default);
        Assert.True(invited.Ok, invited.Error?.Detail);
        return new Uri(invited.Value!.SetupLink).PathAndQuery;
    }

    private static Task<HttpResponseMessage> SetPasswordAsync(CookieBrowser browser, string link, string password, string confirm) =>
        Forms.PostAsync(browser.Follow, link, "setup", new() { ["Form.Password"] = password, ["Form.Confirm"] = confirm });

    [Fact]
    public async Task An_invitation_link_sets_the_password_and_leads_to_enrolment_once()
    {
        var email = NewEmail();
        var link = await InviteAsync(email);
        using var browser = new CookieBrowser(app);

        var form = await browser.Follow.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Contains($"Choose a password for {email}", await form.Content.ReadAsStringAsync());
        var enrol = await SetPasswordAsync(browser, link, NewPassword, NewPassword);

        Assert.Equal("/account/enrol", PathOf(enrol));
        var again = await new CookieBrowser(app).Follow.GetAsync(link);
        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
        Assert.Contains("This link cannot be used", await again.Content.ReadAsStringAsync());
        Assert.Equal(["operator.invited", "operator.setup.completed"], await app.AuditActionsAboutAsync($"operator:{email}"));

        // The password it set is the operator's password now.
        using var later = new CookieBrowser(app);
        Assert.Equal("/account/enrol", PathOf(await later.PasswordAsync(email, NewPassword)));
    }

    [Fact]
    public async Task An_invitation_through_the_api_returns_a_working_link()
    {
        var email = NewEmail();
        using var admin = await app.TokenClientAsync(Roles.Admin);

        var created = await admin.PostAsJsonAsync("/api/v1/operators", new { email, displayName = "Api Invitee", role = "auditor" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.JsonAsync();
        Assert.Equal("Auditor", body.GetProperty("operator").GetProperty("role").GetString());
        var link = new Uri(body.GetProperty("setupLink").GetString()!);
        Assert.Equal("/account/setup/", link.AbsolutePath[..15]);
        using var browser = new CookieBrowser(app);
        Assert.Equal("/account/enrol", PathOf(await SetPasswordAsync(browser, link.PathAndQuery, NewPassword, NewPassword)));
    }

    public static TheoryData<string, string, string, string> RefusedPasswords => new()
    {
        { "passwords that differ", "a long enough new passphrase", "a long enough other passphrase", "The two passwords differ." },
        { "a password under 12 characters", "short pass", "short pass", "Passwords must be at least 12 characters." },
        { "a password that contains the email name", "invitee-xxxx-and-more", "invitee-xxxx-and-more", "must not contain your email name" },
    };

    [Theory]
    [MemberData(nameof(RefusedPasswords))]
    public async Task A_refused_password_shows_why_and_leaves_the_link_usable(string why, string password, string confirm, string message)
    {
        var email = NewEmail();
        var link = await InviteAsync(email);
        password = password.Replace("invitee-xxxx", email.Split('@')[0]);
        confirm = confirm.Replace("invitee-xxxx", email.Split('@')[0]);
        using var browser = new CookieBrowser(app);

        var refused = await SetPasswordAsync(browser, link, password, confirm);

        Assert.True(PathOf(refused).StartsWith("/account/setup/"), why);
        Assert.Contains(message, WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()));
        Assert.Equal(["operator.invited"], await app.AuditActionsAboutAsync($"operator:{email}"));
        Assert.Equal("/account/enrol", PathOf(await SetPasswordAsync(browser, link, NewPassword, NewPassword)));
    }

    [Fact]
    public async Task Two_people_racing_with_the_same_link_cannot_both_set_a_password()
    {
        var email = NewEmail();
        var link = await InviteAsync(email);
        var browsers = Enumerable.Range(0, 4).Select(_ => new CookieBrowser(app)).ToList();
        var tokens = await Task.WhenAll(browsers.Select(b => SecurityClients.AntiforgeryTokenAsync(b.Follow, link)));

        var results = await Task.WhenAll(browsers.Select((b, i) => b.Follow.PostAsync(link, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "setup", ["__RequestVerificationToken"] = tokens[i],
            ["Form.Password"] = $"racing passphrase number {i}", ["Form.Confirm"] = $"racing passphrase number {i}",
        }))));

        Assert.Single(results, r => PathOf(r) == "/account/enrol");
        Assert.Single(await app.AuditActionsAboutAsync($"operator:{email}"), a => a == "operator.setup.completed");
        browsers.ForEach(b => b.Dispose());
    }

    public static TheoryData<string> UnknownLinks => ["/account/setup/not-a-real-token", "/account/setup/" + new string('x', 150)];

    [Theory]
    [MemberData(nameof(UnknownLinks))]
    public async Task An_unknown_link_shows_the_cannot_be_used_page_with_410(string link)
    {
        var response = await app.CreateClient().GetAsync(link);

        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        Assert.Contains("data-testid=\"setup-invalid\"", await response.Content.ReadAsStringAsync());
    }
}
