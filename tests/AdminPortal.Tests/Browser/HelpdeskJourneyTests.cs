using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using AdminPortal.Tests.Bundles;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminPortal.Tests.Browser;

/// <summary>
/// Issue 8, journey 3: a helpdesk operator signs in (password + TOTP), downloads a user's bundle on /bundles, then types the
/// addresses of the revoke, CA and hosts pages: each answers 403 with the access-denied page naming the role, nothing is
/// revoked, and each refusal is on the audit trail.
/// </summary>
[Collection("Browser")]
public sealed class HelpdeskJourneyTests(BrowserPortal portal) : IClassFixture<BrowserPortal>
{
    [Fact]
    public async Task Helpdesk_downloads_a_bundle_and_is_refused_the_revoke_ca_and_hosts_pages()
    {
        var api = await portal.HttpTokenClientAsync(Roles.Admin);
        await BundleSetup.EnsureCaAndProfileAsync(api, "Helpdesk-CA", new { name = "office", remoteHost = "vpn.example.test", port = 1194, protocol = "udp" });
        Assert.True((await api.PostAsJsonAsync("/api/v1/vpn-users", new { name = "gina", email = "gina@example.test" })).IsSuccessStatusCode);

        var helpdesk = await portal.CreateOperatorAsync(Roles.Helpdesk, email: "helpdesk@example.test");
        await using var s = await portal.NewSessionAsync("journey-helpdesk");
        var page = s.Page;
        await s.SignInAsync(helpdesk);
        foreach (var hidden in new[] { "Certificate authority", "Hosts", "Onboarding" })
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = hidden, Exact = true })).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Link, new() { Name = "Client bundles", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/bundles$"));
        await s.WaitForInteractiveAsync();
        await page.GetByTestId("bundle-user").FillAsync("gin");
        await s.PickAsync("gina");
        await Expect(page.GetByTestId("bundle-user")).ToHaveValueAsync("gina");
        await Expect(page.GetByTestId("bundle-download")).ToBeEnabledAsync();
        var bundle = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("bundle-download").ClickAsync());
        Assert.Equal("office-gina.ovpn", bundle.SuggestedFilename);
        var ovpn = await File.ReadAllTextAsync(await bundle.PathAsync());
        Assert.Contains("remote vpn.example.test 1194", ovpn);
        Assert.Contains("<key>", ovpn);
        await s.ScreenshotAsync("bundle-downloaded");

        // Typed into the address bar, as someone curious would.
        foreach (var path in new[] { "/vpn-users/gina/revoke", "/ca", "/hosts" })
        {
            var response = await page.GotoAsync(path);
            Assert.Equal(403, response!.Status);
            await Expect(page).ToHaveURLAsync(new Regex("/account/access-denied\\?ReturnUrl=" + Regex.Escape(Uri.EscapeDataString(path))));
            await Expect(page.GetByTestId("access-denied")).ToBeVisibleAsync();
            await Expect(page.Locator("body")).ToContainTextAsync("Your role does not allow this page");
            await Expect(page.GetByTestId("revoke-dialog")).ToHaveCountAsync(0);
            await s.ScreenshotAsync("denied" + path.Replace('/', '-'));
        }

        var gina = await api.GetFromJsonAsync<JsonElement>("/api/v1/vpn-users/gina");
        Assert.Equal("active", gina.GetProperty("status").GetString());
        await using var db = await portal.DbAsync();
        var denied = await db.AuditEvents.Where(e => e.Action == "access.denied" && e.Actor == "helpdesk@example.test").Select(e => e.Target).ToListAsync();
        Assert.Equal(["GET /ca", "GET /hosts", "GET /vpn-users/gina/revoke"], denied.Order());
        // Chromium reports each refused page load (403) on the console; nothing else may be there.
        Assert.All(s.ConsoleErrors, e => Assert.Contains("status of 403", e));
        Assert.Empty(s.ExternalRequests);
    }
}
