using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using AdminPortal.Pki;
using AdminPortal.Web.Security;
using AdminPortal.Web.VpnServers.Crl;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.VpnServers;

/// <summary>
/// The freshness monitor against real servers over SSH: a server left with an older CRL is found stale, the Admins get
/// one email, the monitor pushes the current CRL and the revoked user is then rejected; a server whose CRL cannot be read
/// (nor written) stays in alert on the dashboard and its CRL status.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class CrlMonitorTests(VpnCrlLab lab) : IClassFixture<VpnCrlLab>
{
    [Fact]
    public async Task A_server_with_an_older_crl_raises_one_alert_email_and_the_monitor_pushes_the_current_crl()
    {
        var admin = await lab.CreateOperatorAsync(Roles.Admin);
        var site = await lab.ServerAsync();
        var pushed = await lab.Admin.PostAsync($"/api/v1/vpn-servers/{site.Name}/crl", null);
        Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);
        var first = await pushed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(first.GetProperty("state").GetString() == "ok", first.ToString());
        var older = await File.ReadAllTextAsync(site.Lab.CrlPath);

        var carol = await lab.UserAsync("carol");
        Assert.Equal(HttpStatusCode.OK, (await lab.Admin.PostAsJsonAsync("/api/v1/vpn-users/carol/revoke", new { reason = "keyCompromise" })).StatusCode);
        var current = CrlFacts.Read((await (await lab.DbAsync()).CertificateAuthorities.SingleAsync()).CrlDer!).Number;
        await lab.WaitCrlAsync(site.Name, s => s.GetProperty("deployedCrlNumbers").GetString() == current.ToString());

        site.Lab.ReplaceCrl(older); // a server that missed the push (or had its file restored from a backup)
        var verdicts = await lab.Service<CrlMonitorJob>().CheckAllAsync(default);
        Assert.Equal(CrlState.Stale, verdicts[site.Name].State);
        Assert.Contains($"is number {current - 1}, the current one is {current}", verdicts[site.Name].Problem);

        var status = await lab.CrlStatusAsync(site.Name);
        Assert.Equal("ok", status.GetProperty("state").GetString());
        Assert.Equal(current, CrlFacts.ReadPem(await File.ReadAllTextAsync(site.Lab.CrlPath))[0].Number);
        var again = await site.Lab.ConnectAsync(carol.Cert, carol.Key);
        Assert.True(again.Rejected, again.ToString());
        Assert.Contains("certificate revoked", again.Reason);

        // The next round finds it ok: no second email for the same server.
        Assert.Equal(CrlState.Ok, (await lab.Service<CrlMonitorJob>().CheckAllAsync(default))[site.Name].State);
        await using var db = await lab.DbAsync();
        var emails = await db.OutboxMessages.Where(m => m.Kind == AdminPortal.Web.Notifications.NotificationKinds.CrlStale && m.Target == $"vpn-server:{site.Name}").ToListAsync();
        var email = Assert.Single(emails, m => m.To == admin.Email);
        Assert.Contains("stale", email.Subject);
        Assert.Contains(site.Name, email.TextBody);
        var checkedStale = await db.AuditEvents.Where(e => e.Action == "vpn.server.crl.checked" && e.Target == $"vpn-server:{site.Name}").ToListAsync();
        Assert.Contains(checkedStale, e => e.Outcome == "failure" && e.Details.Contains("\"stale\""));
    }

    [Fact]
    public async Task A_server_whose_crl_cannot_be_read_or_written_stays_in_alert_on_the_dashboard()
    {
        await lab.CreateOperatorAsync(Roles.Admin);
        var site = await lab.ServerAsync(configDir: "/dev/null/openvpn");
        var verdicts = await lab.Service<CrlMonitorJob>().CheckAllAsync(default);
        Assert.Equal(CrlState.Unreadable, verdicts[site.Name].State);
        Assert.Contains("/dev/null/openvpn/crl.pem", verdicts[site.Name].Problem);

        var status = await lab.CrlStatusAsync(site.Name);
        Assert.Equal("push-failed", status.GetProperty("state").GetString()); // the monitor tried to push it again
        Assert.Contains("Not a directory", status.GetProperty("problem").GetString());

        var securityLead = await lab.LoginAsync(await lab.CreateOperatorAsync(Roles.SecurityLead));
        var dashboard = WebUtility.HtmlDecode(await securityLead.GetStringAsync("/"));
        Assert.Contains("data-testid=\"crl-alert\"", dashboard);
        Assert.Contains(site.Name, dashboard);
        var page = WebUtility.HtmlDecode(await securityLead.GetStringAsync($"/vpn-servers/{site.Name}"));
        Assert.Contains("data-testid=\"server-crl-alert\"", page);
        Assert.Contains("Not a directory", page);
        Assert.Contains("Push CRL now", page);
        var helpdesk = await lab.LoginAsync(await lab.CreateOperatorAsync(Roles.Helpdesk));
        Assert.DoesNotContain("crl-alert", await helpdesk.GetStringAsync("/"));

        await using var db = await lab.DbAsync();
        Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.Kind == AdminPortal.Web.Notifications.NotificationKinds.CrlStale && m.Target == $"vpn-server:{site.Name}" && m.Subject.Contains("unreadable")));
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "vpn.server.crl.push-failed" && e.Target == $"vpn-server:{site.Name}" && e.Outcome == "failure"));
    }
}
