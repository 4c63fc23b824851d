using System.Text.RegularExpressions;
using AdminPortal.Data.Audit;
using AdminPortal.Web.Pki;
using AdminPortal.Web.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminPortal.Tests.Browser;

/// <summary>The PKI pages in headless Chromium, on a portal of their own (it starts without a CA).</summary>
[Collection("Browser")]
public sealed class PkiJourneyTests(BrowserPortal portal) : IClassFixture<BrowserPortal>
{
    [Fact]
    public async Task Admin_creates_the_ca_issues_and_revokes_a_user_and_helpdesk_only_reads()
    {
        var admin = await portal.CreateOperatorAsync(Roles.Admin, email: "admin@example.test");
        await using (var s = await portal.NewSessionAsync("pki-admin"))
        {
            var page = s.Page;
            await s.SignInAsync(admin);

            // The CA page offers the create form while there is no CA.
            await page.GetByRole(AriaRole.Link, new() { Name = "Certificate authority", Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/ca$"));
            await page.GetByTestId("ca-name").FillAsync("example-vpn-ca");
            await page.GetByTestId("ca-create-button").ClickAsync();
            await Expect(page.GetByTestId("ca-details")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("ca-subject")).ToContainTextAsync("CN=example-vpn-ca");
            await Expect(page.GetByTestId("ca-algorithm")).ToHaveTextAsync("ecdsa-p256");
            await Expect(page.GetByTestId("ca-fingerprint")).ToHaveTextAsync(new Regex("^([0-9A-F]{2}:){31}[0-9A-F]{2}$"));
            await Expect(page.GetByTestId("ca-not-after")).ToContainTextAsync(new Regex(@"3,6\d\d days left"));
            await Expect(page.GetByTestId("crl-number")).ToHaveTextAsync("1");
            await Expect(page.GetByTestId("crl-entries")).ToHaveTextAsync("0");
            await Expect(page.GetByTestId("crl-error")).ToHaveCountAsync(0);
            var crl = await page.APIRequest.GetAsync(await page.GetByTestId("crl-pem").GetAttributeAsync("href") ?? "missing-href");
            Assert.Contains("-----BEGIN X509 CRL-----", await crl.TextAsync());
            var ca = await page.APIRequest.GetAsync(await page.GetByTestId("ca-pem").GetAttributeAsync("href") ?? "missing-href");
            Assert.Contains("-----BEGIN CERTIFICATE-----", await ca.TextAsync());
            await DismissSnackbarsAsync(page);
            await s.ScreenshotAsync("ca", readme: "ca");

            // Users the certificates page shows expiring soon, issued as the API would.
            var users = portal.Service<VpnUserService>();
            foreach (var (name, days) in new[] { ("bob", 5), ("carol", 12), ("dave", 26), ("erin", 40), ("frank", 41), ("grace", 75) })
                Assert.True((await users.IssueAsync(new IssueUserRequest(name, $"{name}@example.test", days, null), AuditActor.System, default)).Ok);

            // Issue through the form; bad input and a duplicate show on the name field.
            await page.GetByRole(AriaRole.Link, new() { Name = "VPN users", Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/vpn-users$"));
            var form = page.GetByTestId("issue-form");
            await page.GetByTestId("issue-name").FillAsync("alice ng");
            await page.GetByTestId("issue-button").ClickAsync();
            await Expect(form).ToContainTextAsync("1-64 characters");
            await page.GetByTestId("issue-name").FillAsync("alice.ng");
            await page.GetByTestId("issue-email").FillAsync("alice@example.test");
            await page.GetByTestId("issue-button").ClickAsync();
            var alice = page.Locator("tr", new() { Has = page.GetByRole(AriaRole.Link, new() { Name = "alice.ng", Exact = true }) });
            await Expect(alice).ToContainTextAsync("active");
            await Expect(page.GetByTestId("issue-name")).ToHaveValueAsync("");
            await page.GetByTestId("issue-name").FillAsync("alice.ng");
            await page.GetByTestId("issue-button").ClickAsync();
            await Expect(form).ToContainTextAsync("already has an active certificate");
            await page.GetByTestId("user-search").FillAsync("ali");
            await Expect(page.GetByTestId("user-link")).ToHaveCountAsync(1);
            await page.GetByTestId("user-search").FillAsync("");
            await Expect(page.GetByTestId("user-link")).ToHaveCountAsync(7);
            await DismissSnackbarsAsync(page);
            await s.ScreenshotAsync("vpn-users", readme: "vpn-users");

            // The user page: revoke through the dialog, with a reason and an explicit confirmation.
            await alice.GetByRole(AriaRole.Link).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/vpn-users/alice.ng$"));
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "alice.ng" })).ToBeVisibleAsync();
            await Expect(page.GetByTestId("renew")).ToBeEnabledAsync();
            await page.GetByTestId("revoke").ClickAsync();
            var dialog = page.Locator(".mud-dialog");
            await Expect(dialog).ToContainTextAsync("Revoke the certificate of alice.ng");
            await Expect(page.GetByTestId("revoke-submit")).ToBeDisabledAsync();
            await dialog.Locator(".mud-select").First.ClickAsync();
            await page.GetByText("Key compromise", new() { Exact = true }).ClickAsync();
            await Expect(page.GetByTestId("revoke-submit")).ToBeDisabledAsync();
            await page.GetByTestId("revoke-confirm").CheckAsync();
            await page.GetByTestId("revoke-submit").ClickAsync();
            await Expect(dialog).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("user-details").GetByTestId("status")).ToHaveTextAsync("revoked");
            await Expect(page.GetByTestId("revocation").First).ToContainTextAsync("by admin@example.test: keyCompromise");
            await Expect(page.GetByTestId("revoke")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("issue-again")).ToBeEnabledAsync();
            await DismissSnackbarsAsync(page);
            await s.ScreenshotAsync("vpn-user", readme: "vpn-user");

            // The expiry view: 30 days by default, and a bar per week.
            await page.GetByRole(AriaRole.Link, new() { Name = "Certificates", Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/certificates$"));
            await Expect(page.GetByTestId("expiry-chart").Locator("rect")).ToHaveCountAsync(13);
            await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "7 days (1)" })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "90 days (6)" })).ToBeVisibleAsync();
            await Expect(page.GetByTestId("expiring-30").Locator("tbody tr")).ToHaveCountAsync(3);
            await s.WaitForInteractiveAsync();
            await DismissSnackbarsAsync(page);
            await s.ScreenshotAsync("certificates", readme: "certificates");

            // A phone: every PKI page reflows without horizontal scrolling.
            await page.SetViewportSizeAsync(390, 844);
            foreach (var (path, ready) in new[] { ("/ca", "ca-details"), ("/vpn-users", "user-link"), ("/vpn-users/alice.ng", "history"), ("/certificates", "expiry-chart") })
            {
                await page.GotoAsync(path);
                await Expect(page.GetByTestId(ready).First).ToBeVisibleAsync();
                await s.WaitForInteractiveAsync();
                Assert.True(await s.FitsTheViewportAsync(), $"{path} scrolls horizontally at 390 px");
                await s.ScreenshotAsync("phone" + path.Replace('/', '-').Replace('.', '-'));
            }

            Assert.Empty(s.ConsoleErrors);
            Assert.Empty(s.ExternalRequests);
        }

        // Helpdesk reads users and their history, but has no revoke or renew, and no CA page.
        var helpdesk = await portal.CreateOperatorAsync(Roles.Helpdesk);
        await using (var s = await portal.NewSessionAsync("pki-helpdesk"))
        {
            var page = s.Page;
            await s.SignInAsync(helpdesk);
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Certificate authority", Exact = true })).ToHaveCountAsync(0);
            await page.GetByRole(AriaRole.Link, new() { Name = "VPN users", Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "alice.ng", Exact = true })).ToBeVisibleAsync();
            await Expect(page.GetByTestId("issue-form")).ToHaveCountAsync(0);
            await page.GetByRole(AriaRole.Link, new() { Name = "bob", Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/vpn-users/bob$"));
            await Expect(page.GetByTestId("history")).ToContainTextAsync("active");
            await s.WaitForInteractiveAsync();
            await Expect(page.GetByTestId("revoke")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("renew")).ToHaveCountAsync(0);
            await s.ScreenshotAsync("helpdesk-user");

            var denied = await page.GotoAsync("/ca");
            Assert.Equal(403, denied!.Status);
            await Expect(page.GetByTestId("access-denied")).ToBeVisibleAsync();
            await s.ScreenshotAsync("helpdesk-ca-denied");
            Assert.All(s.ConsoleErrors, e => Assert.Contains("status of 403", e));
        }
    }

    /// <summary>Closes the result messages so that they do not cover the page in its screenshot.</summary>
    internal static async Task DismissSnackbarsAsync(IPage page)
    {
        foreach (var close in await page.Locator(".mud-snackbar button").AllAsync()) await close.ClickAsync(new() { Force = true });
        await Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0);
    }
}
