using AdminPortal.Web.Components.Layout;
using AdminPortal.Web.Security;
using Bunit;
using Microsoft.AspNetCore.Components;

namespace AdminPortal.Tests.Components;

public sealed class MainLayoutTests : ComponentTest
{
    private static readonly RenderFragment Page = b => b.AddMarkupContent(0, "<p id=\"page-body\">page</p>");

    [Fact]
    public void Shows_the_signed_in_operator_and_role_the_menu_and_the_page()
    {
        SignInAs(Roles.Auditor, "audrey@example.test");
        var layout = Render<MainLayout>(p => p.Add(l => l.Body, Page));

        Assert.Equal("audrey@example.test · Auditor", layout.Find("[data-testid=whoami]").TextContent.Trim());
        Assert.NotNull(layout.Find("#page-body"));
        Assert.NotNull(layout.Find("a[href=audit]"));
        Assert.NotNull(layout.Find("form[action='account/logout'] button[type=submit]"));
    }

    [Fact]
    public void The_menu_toggle_is_disabled_until_the_circuit_is_interactive()
    {
        SignInAs(Roles.Admin);
        SetRendererInfo(new RendererInfo("Static", isInteractive: false));
        var prerendered = Render<MainLayout>(p => p.Add(l => l.Body, Page));
        Assert.True(prerendered.Find("button[aria-label='Toggle navigation']").HasAttribute("disabled"));
    }

    [Fact]
    public void The_menu_toggle_opens_and_closes_the_drawer_once_interactive()
    {
        SignInAs(Roles.Admin);
        var layout = Render<MainLayout>(p => p.Add(l => l.Body, Page));
        var toggle = () => layout.Find("button[aria-label='Toggle navigation']");
        Assert.False(toggle().HasAttribute("disabled"));

        var openBefore = layout.Find(".mud-drawer").ClassList.Contains("mud-drawer--open");
        toggle().Click();
        Assert.NotEqual(openBefore, layout.Find(".mud-drawer").ClassList.Contains("mud-drawer--open"));
    }
}
