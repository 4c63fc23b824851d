using System.Net;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Operators;
using AdminPortal.Web.Security;
using static AdminPortal.Tests.Security.Browser;

namespace AdminPortal.Tests.Security;

/// <summary>Its own database: the first-run link exists only while there is no Admin.</summary>
public sealed class FirstRunLinkTests(PortalApp app) : IClassFixture<PortalApp>
{
    [Fact]
    public async Task The_first_run_link_creates_the_first_admin_once_and_then_no_more_links_are_made()
    {
        var links = app.Service<SetupLinks>();
        var link = new Uri((await links.FirstRunLinkAsync(default))!).PathAndQuery;
        using var browser = new Browser(app);
        Assert.Contains("Create the first Admin", await browser.Follow.GetStringAsync(link));

        var enrol = await Forms.PostAsync(browser.Follow, link, "setup", new()
        {
            ["Form.Email"] = "first.admin@example.test", ["Form.DisplayName"] = "First Admin",
            ["Form.Password"] = "the very first passphrase", ["Form.Confirm"] = "the very first passphrase",
        });

        Assert.Equal("/account/enrol", PathOf(enrol));
        var admins = (await app.Service<OperatorService>().ListAsync(default)).Where(o => o.Role == Roles.Admin).ToList();
        Assert.Equal("first.admin@example.test", Assert.Single(admins).Email);
        Assert.Equal(HttpStatusCode.Gone, (await app.CreateClient().GetAsync(link)).StatusCode);
        Assert.Null(await links.FirstRunLinkAsync(default));
    }
}
