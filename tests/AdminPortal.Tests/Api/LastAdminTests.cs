using System.Net;
using System.Net.Http.Json;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Tests.Security;
using AdminPortal.Web.Security;

namespace AdminPortal.Tests.Api;

/// <summary>Its own database, so the number of Admins is exactly what this test makes it.</summary>
public sealed class LastAdminTests(PortalApp app) : IClassFixture<PortalApp>
{
    [Fact]
    public async Task The_last_active_admin_can_be_neither_demoted_nor_disabled()
    {
        using var api = await app.TokenClientAsync(Roles.Admin);
        var only = await app.CreateOperatorAsync(Roles.Admin);
        await AssertProtectedAsync(api, only, "the only Admin");

        var other = await app.CreateOperatorAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/v1/operators/{other.Id}/disable", null)).StatusCode);
        await AssertProtectedAsync(api, only, "the only Admin not disabled");

        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/v1/operators/{other.Id}/enable", null)).StatusCode);
        var demoted = await api.PutAsJsonAsync($"/api/v1/operators/{only.Id}/role", new { role = Roles.Auditor });
        Assert.Equal(HttpStatusCode.OK, demoted.StatusCode);
        await AssertProtectedAsync(api, other, "the Admin left after the other was demoted");
    }

    private async Task AssertProtectedAsync(HttpClient api, TestOperator admin, string why)
    {
        var before = await app.RowCountsAsync();

        var demote = await api.PutAsJsonAsync($"/api/v1/operators/{admin.Id}/role", new { role = Roles.Helpdesk });
        var disable = await api.PostAsync($"/api/v1/operators/{admin.Id}/disable", null);

        var demoteProblem = await demote.AssertProblemAsync(HttpStatusCode.Conflict);
        await disable.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.True(demoteProblem.GetProperty("detail").GetString()!.Contains("last active Admin"), why);
        Assert.Equal(before, await app.RowCountsAsync());
        using var browser = await new CookieBrowser(app).LoginAsync(admin);
        var me = await (await browser.NoFollow.GetAsync("/api/v1/me")).JsonAsync();
        Assert.Equal(Roles.Admin, me.GetProperty("role").GetString());
    }
}
