using System.Net;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Operators;
using AdminPortal.Web.Security;
using static AdminPortal.Tests.Security.CookieBrowser;

namespace AdminPortal.Tests.Security;

/// <summary>Its own database: the first-run link exists only while there is no Admin.</summary>
public sealed class FirstRunLinkTests(PortalApp app) : IClassFixture<PortalApp>
{
    [Fact]
    public async Task The_first_run_link_creates_one_first_admin_even_when_raced_and_then_no_more_links_are_made()
    {
        var links = app.Service<SetupLinks>();
        var link = new Uri((await links.FirstRunLinkAsync(default))!).PathAndQuery;
        var browsers = Enumerable.Range(0, 4).Select(_ => new CookieBrowser(app)).ToList();
        Assert.Contains("Create the first Admin", await browsers[0].Follow.GetStringAsync(link));
        var tokens = await Task.WhenAll(browsers.Select(b => SecurityClients.AntiforgeryTokenAsync(b.Follow, link)));

        var results = await Task.WhenAll(browsers.Select((b, i) => b.Follow.PostAsync(link, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "setup", ["__RequestVerificationToken"] = tokens[i],
            ["Form.Email"] = $"admin{i}@example.test", ["Form.DisplayName"] = $"Admin {i}",
            ["Form.Password"] = "the very first passphrase", ["Form.Confirm"] = "the very first passphrase",
        }))));

        Assert.Single(results, r => PathOf(r) == "/account/enrol");
        var admins = (await app.Service<OperatorService>().ListAsync(default)).Where(o => o.Role == Roles.Admin).ToList();
        Assert.Matches("^admin[0-3]@example.test$", Assert.Single(admins).Email);
        browsers.ForEach(b => b.Dispose());
        Assert.Equal(HttpStatusCode.Gone, (await app.CreateClient().GetAsync(link)).StatusCode);
        Assert.Null(await links.FirstRunLinkAsync(default));
    }
}
