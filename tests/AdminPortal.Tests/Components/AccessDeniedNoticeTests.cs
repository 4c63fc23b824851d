using AdminPortal.Web.Components.Shared;
using Bunit;

namespace AdminPortal.Tests.Components;

public sealed class AccessDeniedNoticeTests : ComponentTest
{
    [Fact]
    public void Says_access_is_denied_names_the_role_and_links_back_to_the_dashboard()
    {
        var notice = Render<AccessDeniedNotice>(p => p.Add(n => n.Role, "Helpdesk"));

        Assert.Equal("Access denied", notice.Find("h1").TextContent.Trim());
        var alert = notice.Find("[data-testid=access-denied]");
        Assert.Contains("Helpdesk", alert.TextContent);
        Assert.Contains("ask an Admin", alert.TextContent);
        Assert.NotNull(notice.Find("a[href='/']"));
    }

    [Fact]
    public void Renders_the_role_as_text_not_markup()
    {
        var notice = Render<AccessDeniedNotice>(p => p.Add(n => n.Role, "<img src=x onerror=alert(1)>"));

        Assert.Empty(notice.FindAll("[data-testid=access-denied] img"));
        Assert.Contains("<img src=x", notice.Find("[data-testid=access-denied]").TextContent);
    }
}
