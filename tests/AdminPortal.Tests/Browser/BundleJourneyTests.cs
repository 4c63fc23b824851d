using System.IO.Compression;
using System.Text.RegularExpressions;
using AdminPortal.Data.Audit;
using AdminPortal.Web.Pki;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminPortal.Tests.Browser;

/// <summary>
/// An Admin creates a VPN profile and takes its server files; a Helpdesk operator finds a user, downloads a
/// bundle, makes a one-time link with a QR code; the person opens the link, downloads once, and the second
/// visit says the link was used.
/// </summary>
[Collection("Browser")]
public sealed class BundleJourneyTests(BrowserPortal portal) : IClassFixture<BrowserPortal>
{
    [Fact]
    public async Task Admin_makes_a_profile_and_helpdesk_hands_out_a_bundle_and_a_one_time_link()
    {
        Assert.True((await portal.Service<CaService>().CreateAsync("journey-ca", null, null, AuditActor.System, default)).Ok);
        var users = portal.Service<VpnUserService>();
        foreach (var name in new[] { "alice.ng", "albert", "bob" })
            Assert.True((await users.IssueAsync(new IssueUserRequest(name, $"{name}@example.test", null, null), AuditActor.System, default)).Ok);

        var admin = await portal.CreateOperatorAsync(Roles.Admin, email: "admin@example.test");
        await using (var s = await portal.NewSessionAsync("profiles-admin"))
        {
            var page = s.Page;
            await s.SignInAsync(admin);
            await page.GetByRole(AriaRole.Link, new() { Name = "VPN profiles", Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/vpn-profiles$"));
            await page.GetByTestId("profile-name-input").FillAsync("office");
            await page.GetByTestId("profile-host").FillAsync("vpn.example.test, vpn2.example.test");
            await page.GetByTestId("profile-directives").FillAsync("up /tmp/evil.sh");
            await page.GetByTestId("profile-create").ClickAsync();
            await Expect(page.GetByTestId("profile-form")).ToContainTextAsync("run programs");
            await page.GetByTestId("profile-directives").FillAsync("verb 4");
            await page.GetByTestId("profile-create").ClickAsync();
            await Expect(page.GetByTestId("profile-name")).ToHaveTextAsync("office");
            await Expect(page.GetByTestId("profiles-table")).ToContainTextAsync("server.office");

            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("server-files").ClickAsync());
            Assert.Equal("office-server.zip", download.SuggestedFilename);
            using var zip = new ZipArchive(File.OpenRead(await download.PathAsync()));
            Assert.Contains("server.conf", zip.Entries.Select(e => e.FullName));
            await s.ScreenshotAsync("vpn-profiles", readme: "vpn-profiles");
        }

        var helpdesk = await portal.CreateOperatorAsync(Roles.Helpdesk, email: "helpdesk@example.test");
        string linkUrl;
        await using (var s = await portal.NewSessionAsync("bundles-helpdesk"))
        {
            var page = s.Page;
            await s.SignInAsync(helpdesk);
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Certificate authority" })).ToHaveCountAsync(0);
            await page.GetByRole(AriaRole.Link, new() { Name = "Client bundles", Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/bundles$"));
            await page.GetByTestId("bundle-user").FillAsync("al");
            await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "alice.ng" }).ClickAsync();
            await Expect(page.GetByTestId("link-list")).ToContainTextAsync("No links for this user yet");

            var bundle = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("bundle-download").ClickAsync());
            Assert.Equal("office-alice.ng.ovpn", bundle.SuggestedFilename);
            var ovpn = await File.ReadAllTextAsync(await bundle.PathAsync());
            Assert.Contains("<key>", ovpn);
            Assert.Contains("remote vpn2.example.test 1194", ovpn);

            await page.GetByTestId("bundle-link").ClickAsync();
            await Expect(page.GetByTestId("link-url")).ToContainTextAsync("/d/");
            await Expect(page.GetByTestId("link-qr")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("link-status")).ToHaveTextAsync("active");
            linkUrl = new Uri(await page.GetByTestId("link-url").InnerTextAsync()).AbsolutePath;
            await s.ScreenshotAsync("bundles", readme: "bundles");

            // "Email link" makes a second link and queues the email in the same transaction (SMTP is not set up here: it waits).
            await page.GetByTestId("bundle-email").ClickAsync();
            await Expect(page.GetByTestId("link-created")).ToContainTextAsync("emailed to alice.ng@example.test");
            await Expect(page.GetByTestId("link-status")).ToHaveCountAsync(2);
            await using var db = await portal.DbAsync();
            var queued = await db.OutboxMessages.SingleAsync(m => m.To == "alice.ng@example.test");
            Assert.Equal("pending", queued.Status);
            Assert.Contains("/d/", queued.TextBody);
        }

        await using (var person = await portal.NewSessionAsync("link-person", width: 412, height: 915))
        {
            var page = person.Page;
            await page.GotoAsync(linkUrl);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your VPN profile" })).ToBeVisibleAsync();
            await Expect(page.Locator("main")).ToContainTextAsync("alice.ng");
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Open in OpenVPN Connect" })).ToHaveAttributeAsync("href", new Regex("^openvpn://import-profile/"));
            await person.ScreenshotAsync("download-link", readme: "download-link");
            var file = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download" }).ClickAsync());
            Assert.Equal("office-alice.ng.ovpn", file.SuggestedFilename);
            var again = await page.GotoAsync(linkUrl);
            Assert.Equal(410, again!.Status);
            await Expect(page.Locator("main")).ToContainTextAsync("already used");
        }
    }
}
