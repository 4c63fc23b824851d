using System.Net;
using System.Runtime.Versioning;
using AdminPortal.Pki;
using AdminPortal.Web.Security;
using AdminPortal.Web.VpnServers.Crl;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AdminPortal.Tests.VpnServers;

/// <summary>A VPN lab whose clock the test moves; alerts come 20 days before a CRL's nextUpdate (the CRL lives 30 days).</summary>
[SupportedOSPlatform("linux")]
public sealed class ClockedVpnLab : VpnCrlLab
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    protected override TimeSpan AlertThreshold => TimeSpan.FromDays(20);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => s.AddSingleton<TimeProvider>(Clock));
    }
}

/// <summary>
/// A server whose deployed CRL (the current one) comes within the threshold of its nextUpdate raises the "expiring"
/// alert with one email; the monitor regenerates the CA's CRL, the distribution pushes it, and the server is ok again.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class CrlExpiryTests(ClockedVpnLab lab) : IClassFixture<ClockedVpnLab>
{
    [Fact]
    public async Task A_crl_near_its_next_update_raises_the_alert_and_the_refresh_fixes_it()
    {
        var admin = await lab.CreateOperatorAsync(Roles.Admin);
        var site = await lab.ServerAsync();
        Assert.Equal(HttpStatusCode.OK, (await lab.Admin.PostAsync($"/api/v1/vpn-servers/{site.Name}/crl", null)).StatusCode);
        Assert.Equal(CrlState.Ok, (await lab.Service<CrlMonitorJob>().CheckAllAsync(default))[site.Name].State);
        var before = CrlFacts.ReadPem(await File.ReadAllTextAsync(site.Lab.CrlPath))[0];

        lab.Clock.Advance(TimeSpan.FromDays(12)); // 18 days left: within 20, before the scheduled refresh at half-life (15)
        var verdict = (await lab.Service<CrlMonitorJob>().CheckAllAsync(default))[site.Name];
        Assert.Equal(CrlState.Expiring, verdict.State);
        Assert.Contains("within 20 days", verdict.Problem);

        var status = await lab.WaitCrlAsync(site.Name, s => s.GetProperty("state").GetString() == "ok"
            && s.GetProperty("deployedCrlNumbers").GetString() == (before.Number + 1).ToString());
        Assert.True(status.GetProperty("state").GetString() == "ok", status.ToString());
        var after = CrlFacts.ReadPem(await File.ReadAllTextAsync(site.Lab.CrlPath))[0];
        Assert.Equal(before.Number + 1, after.Number);
        Assert.True(after.NextUpdate > lab.Clock.GetUtcNow().AddDays(29));

        await using var db = await lab.DbAsync();
        var email = await db.OutboxMessages.SingleAsync(m => m.Kind == AdminPortal.Web.Notifications.NotificationKinds.CrlStale && m.Target == $"vpn-server:{site.Name}" && m.To == admin.Email);
        Assert.Contains("expiring", email.Subject);
        var refreshed = await db.AuditEvents.Where(e => e.Action == "pki.crl.refreshed").ToListAsync();
        Assert.Contains(refreshed, e => e.Details.Contains("near its nextUpdate", StringComparison.Ordinal));
    }
}
