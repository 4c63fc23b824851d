using System.Net;
using System.Net.Http.Json;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Dashboard;
using AdminPortal.Web.Security;

namespace AdminPortal.Tests.Pki;

public sealed class DashboardOutlookTests(PortalApp app) : IClassFixture<PortalApp>
{
    [Fact]
    public async Task The_dashboard_counts_certificates_expiring_within_7_30_and_90_days_and_shows_when_the_crl_runs_out()
    {
        var admin = await app.TokenClientAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/ca", new { name = "Outlook-CA" })).StatusCode);
        foreach (var (name, days) in new[] { ("soon", 5), ("month", 20), ("quarter", 60), ("later", 400) })
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/vpn-users", new { name, validDays = days })).StatusCode);
        // A revoked certificate is not "expiring".
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/vpn-users", new { name = "gone", validDays = 3 })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/api/v1/vpn-users/gone/revoke", new { reason = "cessationOfOperation" })).StatusCode);

        var figures = await app.Service<DashboardService>().LoadAsync(default);

        Assert.Equal((1, 2, 3), (figures.Certificates.Within7Days, figures.Certificates.Within30Days, figures.Certificates.Within90Days));
        Assert.True(figures.Certificates.CrlNextUpdate > DateTimeOffset.UtcNow.AddDays(29));
    }
}
