using AdminPortal.Web.Components.Layout;
using AdminPortal.Web.Security;
using Bunit;

namespace AdminPortal.Tests.Components;

public sealed class NavMenuTests : ComponentTest
{
    public static TheoryData<string, string[], string[]> LinksPerRole => new()
    {
        { Roles.Admin, ["vpn-users", "certificates", "ca", "audit", "operators", "settings", "outbox", "vpn-servers"], [] },
        { Roles.SecurityLead, ["vpn-users", "certificates", "ca", "audit", "vpn-servers"], ["operators", "settings", "outbox"] },
        { Roles.Auditor, ["audit"], ["vpn-users", "certificates", "ca", "operators", "settings", "outbox", "vpn-servers"] },
        { Roles.Helpdesk, ["vpn-users", "certificates"], ["ca", "audit", "operators", "settings", "outbox", "vpn-servers"] },
    };

    [Theory]
    [MemberData(nameof(LinksPerRole))]
    public void Shows_only_the_links_the_role_may_open(string role, string[] shown, string[] hidden)
    {
        SignInAs(role);
        var menu = Render<NavMenu>();

        Assert.NotNull(menu.Find("a[href='']")); // every role has the dashboard
        foreach (var href in shown) Assert.Single(menu.FindAll($"a[href='{href}']"));
        foreach (var href in hidden) Assert.Empty(menu.FindAll($"a[href='{href}']"));
    }

    [Fact]
    public void Helpdesk_sees_users_and_certificates_but_not_the_certificate_authority_or_admin_only_areas()
    {
        SignInAs(Roles.Helpdesk);
        var text = Render<NavMenu>().Find("nav").TextContent;

        Assert.Contains("VPN users", text);
        Assert.Contains("Certificates", text);
        Assert.DoesNotContain("Certificate authority", text);
        Assert.DoesNotContain("Mail", text);
    }

    [Fact]
    public void Coming_areas_are_not_links()
    {
        SignInAs(Roles.Admin);
        var menu = Render<NavMenu>();

        var coming = menu.FindAll(".mud-nav-link").Where(l => l.TextContent.Contains("soon")).ToList();
        Assert.Single(coming); // Mail
        Assert.All(coming, l => Assert.Null(l.GetAttribute("href")));
    }
}
