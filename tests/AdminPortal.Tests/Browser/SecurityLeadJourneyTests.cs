using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.RegularExpressions;
using AdminPortal.Testing;
using AdminPortal.Web.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminPortal.Tests.Browser;

/// <summary>
/// Issue 8, journey 2: with two people connected to a real OpenVPN server the portal published, a security lead signs in
/// (password + TOTP), finds one of them, revokes with a reason, and sees in the portal the new CRL deployed on the server
/// (same cRLNumber as the CA page), the person gone from the server's client list (their OpenVPN client really exited, and
/// a reconnect is refused) while the other stays, and the session kill on the audit trail.
/// </summary>
[Collection("Browser")]
[SupportedOSPlatform("linux")]
public sealed class SecurityLeadJourneyTests(BrowserPortal portal) : IClassFixture<BrowserPortal>
{
    [Fact]
    public async Task Security_lead_revokes_a_connected_user_and_sees_the_crl_deployed_and_the_session_killed()
    {
        var api = await portal.HttpTokenClientAsync(Roles.Admin);
        await using var server = await JourneyVpnServer.PublishAsync(api, "office-1");
        var erinProfile = await JourneyVpnServer.IssueAsync(api, "erin");
        var frankProfile = await JourneyVpnServer.IssueAsync(api, "frank");
        await using var erin = await server.Lab.StartClientAsync(erinProfile, TimeSpan.FromSeconds(60));
        Assert.True(erin.Connected, $"{erin}\n--- server ---\n{server.Lab.ServerLog()}");
        await using var frank = await server.Lab.StartClientAsync(frankProfile, TimeSpan.FromSeconds(60));
        Assert.True(frank.Connected, $"{frank}\n--- server ---\n{server.Lab.ServerLog()}");

        var lead = await portal.CreateOperatorAsync(Roles.SecurityLead, email: "security-lead@example.test");
        await using var s = await portal.NewSessionAsync("journey-security-lead");
        var page = s.Page;
        await s.SignInAsync(lead);

        // The host the server runs on, as the security lead sees hosts (trust decisions are theirs).
        await page.GetByRole(AriaRole.Link, new() { Name = "Hosts", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/hosts$"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = server.Host, Exact = true })).ToBeVisibleAsync();
        await s.WaitForInteractiveAsync();
        await s.ScreenshotAsync("hosts", readme: "hosts");

        // Before: both sessions on the server's page.
        await page.GetByRole(AriaRole.Link, new() { Name = "VPN servers", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/vpn-servers$"));
        await Expect(page.GetByTestId("vpn-server-link")).ToHaveTextAsync(server.Name);
        await s.WaitForInteractiveAsync();
        await s.ScreenshotAsync("vpn-servers");
        await OpenServerAsync(s, server.Name);
        await Expect(page.GetByTestId("vpn-client-cn")).ToHaveCountAsync(2, new() { Timeout = 30_000 });
        Assert.Equal(["erin", "frank"], (await page.GetByTestId("vpn-client-cn").AllInnerTextsAsync()).Select(t => t.Trim()).Order());
        await s.ScreenshotAsync("server-before");

        // Find erin and revoke, with a reason.
        await page.GetByRole(AriaRole.Link, new() { Name = "VPN users", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/vpn-users$"));
        await s.WaitForInteractiveAsync();
        await page.GetByTestId("user-search").FillAsync("eri");
        await Expect(page.GetByTestId("user-link")).ToHaveTextAsync(["erin"]);
        await s.ScreenshotAsync("user-found");
        await page.GetByTestId("user-link").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/vpn-users/erin$"));
        await s.WaitForInteractiveAsync();
        await page.GetByTestId("revoke").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/vpn-users/erin/revoke$"));
        var dialog = page.Locator(".mud-dialog");
        await Expect(dialog).ToContainTextAsync("Revoke the certificate of erin");
        await dialog.Locator(".mud-select").First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Key compromise" }).ClickAsync();
        await Expect(page.Locator(".mud-popover-open")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("revoke-reason-help")).ToContainTextAsync("lost, stolen or exposed");
        await page.GetByTestId("revoke-confirm").CheckAsync();
        await Expect(page.GetByTestId("revoke-submit")).ToBeEnabledAsync();
        await s.ScreenshotAsync("revoke", readme: "revoke");
        await page.GetByTestId("revoke-submit").ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(page).ToHaveURLAsync(new Regex("/vpn-users/erin$"));
        await Expect(page.GetByTestId("user-details").GetByTestId("status")).ToHaveTextAsync("revoked");
        await Expect(page.GetByTestId("revocation").First).ToContainTextAsync("by security-lead@example.test: keyCompromise");
        await s.ScreenshotAsync("revoked");

        // The CA's new CRL, then the same cRLNumber deployed on the server, and erin's session gone.
        await page.GetByRole(AriaRole.Link, new() { Name = "Certificate authority", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("crl-entries")).ToHaveTextAsync("1");
        var crlNumber = (await page.GetByTestId("crl-number").InnerTextAsync()).Trim();
        Assert.Equal(crlNumber, (await api.GetFromJsonAsync<JsonElement>("/api/v1/ca")).GetProperty("crl").GetProperty("number").GetInt64().ToString());
        Assert.True(await erin.WaitExitAsync(TimeSpan.FromSeconds(30)), $"erin's client is still running: {erin}\n--- server ---\n{server.Lab.ServerLog()}");

        await page.GetByRole(AriaRole.Link, new() { Name = "VPN servers", Exact = true }).ClickAsync();
        await OpenServerAsync(s, server.Name);
        // The push runs in the background after the revocation's commit; the page shows what was recorded when it loaded.
        await Eventually.TrueAsync(async () =>
        {
            var shown = page.GetByTestId("vpn-server-crl-number");
            if (await shown.CountAsync() > 0 && (await shown.InnerTextAsync()).Trim() == crlNumber) return true;
            await page.ReloadAsync();
            await s.WaitForInteractiveAsync();
            return false;
        }, $"the server page showing the pushed CRL number {crlNumber}");
        await Expect(page.GetByTestId("vpn-server-crl-number")).ToHaveTextAsync(crlNumber);
        await Expect(page.GetByTestId("vpn-server-crl-status")).ToHaveTextAsync("ok");
        await Expect(page.GetByTestId("server-crl-pushed")).Not.ToContainTextAsync("never");
        await page.GetByTestId("vpn-clients-refresh").ClickAsync();
        await Expect(page.GetByTestId("vpn-client-cn")).ToHaveTextAsync(["frank"], new() { Timeout = 30_000 });
        await page.GetByTestId("vpn-server-crl").EvaluateAsync("e => e.scrollIntoView()");
        await s.ScreenshotAsync("server-after", readme: "vpn-server-revoked");

        await using var again = await server.Lab.StartClientAsync(erinProfile, TimeSpan.FromSeconds(30));
        Assert.False(again.Connected, again.ToString());
        Assert.Contains("certificate revoked", server.Lab.ServerLog(200));
        Assert.True(frank.Running, frank.ToString());

        // The audit trail names the kill.
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/audit$"));
        await s.WaitForInteractiveAsync();
        var action = page.Locator(".mud-input-control", new() { HasText = "Action prefix" }).Locator("input");
        await action.FillAsync("vpn.server.sessions.killed");
        await page.Keyboard.PressAsync("Tab");
        await Expect(action).ToHaveValueAsync("vpn.server.sessions.killed");
        await page.GetByTestId("audit-search").ClickAsync();
        var killed = page.Locator("tr", new() { HasText = "vpn.server.sessions.killed" });
        await Expect(killed).ToHaveCountAsync(1);
        await Expect(killed).ToContainTextAsync($"vpn-server:{server.Name}");
        await Expect(killed).ToContainTextAsync("success");
        await s.ScreenshotAsync("audit-killed");

        // The servers list shows the CRL state the push recorded.
        await page.GetByRole(AriaRole.Link, new() { Name = "VPN servers", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/vpn-servers$"));
        await Expect(page.Locator("tr", new() { Has = page.GetByTestId("vpn-server-link") })).ToContainTextAsync("ok");
        await s.WaitForInteractiveAsync();
        await s.ScreenshotAsync("vpn-servers-after", readme: "vpn-servers");
        Assert.Empty(s.ConsoleErrors);
        Assert.Empty(s.ExternalRequests);
    }

    private static async Task OpenServerAsync(BrowserSession s, string name)
    {
        await s.Page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true }).ClickAsync();
        await Expect(s.Page).ToHaveURLAsync(new Regex($"/vpn-servers/{name}$"));
        await s.WaitForInteractiveAsync();
        await s.Page.GetByTestId("vpn-clients-refresh").ClickAsync();
    }
}
