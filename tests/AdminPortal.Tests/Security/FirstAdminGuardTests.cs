using System.Net;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Operators;
using AdminPortal.Web.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using static AdminPortal.Tests.Security.CookieBrowser;

namespace AdminPortal.Tests.Security;

/// <summary>Its own database: first-run links stop working once the first Admin exists.</summary>
public sealed class FirstAdminGuardTests(PortalApp app) : IClassFixture<PortalApp>
{
    private async Task<string> NewFirstRunLinkAsync()
    {
        await using var db = await app.DbAsync();
        var link = app.Service<SetupLinks>().Create(db, "", Roles.Admin, "system");
        await db.SaveChangesAsync();
        return new Uri(link).PathAndQuery;
    }

    private static Task<HttpResponseMessage> CreateAdminAsync(CookieBrowser browser, string link, string email) =>
        Forms.PostAsync(browser.Follow, link, "setup", new()
        {
            ["Form.Email"] = email, ["Form.DisplayName"] = "First",
            ["Form.Password"] = "the very first passphrase", ["Form.Confirm"] = "the very first passphrase",
        });

    [Fact]
    public async Task Once_a_first_admin_exists_no_first_run_link_can_create_another()
    {
        var (first, second) = (await NewFirstRunLinkAsync(), await NewFirstRunLinkAsync());
        using (var browser = new CookieBrowser(app))
            Assert.Equal("/account/enrol", PathOf(await CreateAdminAsync(browser, first, "boss@example.test")));

        // Completing one first-run link withdrew the others.
        Assert.Equal(HttpStatusCode.Gone, (await app.CreateClient().GetAsync(second)).StatusCode);

        // A link made before an Admin appeared by other means (admin create) is refused when used.
        var stale = await NewFirstRunLinkAsync();
        using var late = new CookieBrowser(app);
        var refused = await CreateAdminAsync(late, stale, "other@example.test");

        Assert.StartsWith("/account/setup/", PathOf(refused));
        Assert.Contains("An Admin already exists", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()));
        Assert.DoesNotContain(await app.Service<OperatorService>().ListAsync(default), o => o.Email == "other@example.test");
    }
}

/// <summary>The portal as deployed: no first-run link is made (or printed) in Production.</summary>
public sealed class ProductionPortalApp : PortalApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
    }
}

public sealed class ProductionFirstRunTests(ProductionPortalApp app) : IClassFixture<ProductionPortalApp>
{
    [Fact]
    public async Task In_production_the_portal_makes_no_first_run_link()
    {
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().GetAsync("/healthz")).StatusCode);

        await using var db = await app.DbAsync();
        Assert.Equal(0, await db.SetupLinks.CountAsync(l => l.Email == ""));
    }
}
