using System.Net;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Security;

namespace AdminPortal.Tests.Smoke;

public sealed class PortalStartsTests(PortalApp app) : IClassFixture<PortalApp>
{
    [Fact]
    public async Task Health_endpoint_reports_the_database_healthy()
    {
        var response = await app.CreateClient().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Static_assets_come_from_the_top_level_wwwroot()
    {
        var served = await app.CreateClient().GetStringAsync("/css/app.css");
        var onDisk = await File.ReadAllTextAsync(Path.Combine(Repo.Root, "wwwroot", "css", "app.css"));
        Assert.Equal(onDisk, served);
    }

    [Fact]
    public async Task An_operator_logs_in_with_password_and_totp_and_sees_the_dashboard()
    {
        var admin = await app.CreateOperatorAsync(Roles.Admin);
        var client = await app.LoginAsync(admin);
        var home = await client.GetStringAsync("/");
        Assert.Contains("Dashboard", home);
    }
}
