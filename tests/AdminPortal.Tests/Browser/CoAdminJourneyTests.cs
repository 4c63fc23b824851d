using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using AdminPortal.Tests.Email;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminPortal.Tests.Browser;

/// <summary>
/// Issue 8, journey 1: a co-admin signs in (password + TOTP), onboards a new VPN user on /onboarding with a profile link; the
/// person opens the emailed one-time link in a second browser context (no operator session), downloads the profile, and that
/// profile connects to a real OpenVPN server the portal published into the test's namespace; the co-admin then sees the
/// person connected on the server's page.
/// </summary>
[Collection("Browser")]
[SupportedOSPlatform("linux")]
public sealed class CoAdminJourneyTests(BrowserPortal portal) : IClassFixture<BrowserPortal>
{
    [Fact]
    public async Task Co_admin_onboards_a_user_whose_one_time_link_gives_a_profile_that_connects()
    {
        var api = await portal.HttpTokenClientAsync(Roles.Admin);
        await using var sink = await SmtpSink.StartAsync();
        await EmailPortal.ConfigureSmtpAsync(api, sink.Port);
        await using var server = await JourneyVpnServer.PublishAsync(api, "office-1");

        var coAdmin = await portal.CreateOperatorAsync(Roles.Admin, email: "co-admin@example.test");
        await using var s = await portal.NewSessionAsync("journey-co-admin");
        var page = s.Page;
        await s.SignInAsync(coAdmin);
        await s.ScreenshotAsync("dashboard");

        await page.GetByRole(AriaRole.Link, new() { Name = "Onboarding", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/onboarding$"));
        await s.WaitForInteractiveAsync();
        await page.GetByTestId("onb-user").FillAsync("dana");
        await page.GetByTestId("onb-email").FillAsync("dana@example.test");
        await page.GetByTestId("onb-display").FillAsync("Dana K.");
        await page.GetByTestId("onboarding-form").Locator(".mud-select", new() { HasText = "Profile link" }).Last.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = JourneyVpnServer.Profile }).ClickAsync();
        // A select closes with a server round trip: submit only once it has and every typed value is really there.
        await Expect(page.Locator(".mud-popover-open")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Profile link" })).ToContainTextAsync(JourneyVpnServer.Profile);
        await Expect(page.GetByTestId("onb-user")).ToHaveValueAsync("dana");
        await Expect(page.GetByTestId("onb-email")).ToHaveValueAsync("dana@example.test");
        await Expect(page.GetByTestId("onb-display")).ToHaveValueAsync("Dana K.");
        await s.ScreenshotAsync("onboarding-form");
        await page.GetByTestId("onb-start").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/onboarding/[0-9a-f-]{36}$"));
        await Expect(page.GetByTestId("onb-run-status")).ToHaveTextAsync("done", new() { Timeout = 60_000 });
        await Expect(page.GetByTestId("onb-steps")).ToContainTextAsync("emailed to dana@example.test");
        var mail = await sink.WaitForAsync("dana@example.test", "/d/", timeoutSeconds: 60);
        await Expect(page.GetByTestId("onb-steps")).ToContainTextAsync("(email sent)", new() { Timeout = 30_000 });
        await s.ScreenshotAsync("onboarding-done", readme: "onboarding-done");
        var link = new Uri(Regex.Match(mail.TextBody ?? "", @"https?://\S+/d/[A-Za-z0-9_-]+").Value).AbsolutePath;

        // The new user: a browser of their own, nobody signed in, only the link from the email.
        string ovpn;
        await using (var person = await portal.NewSessionAsync("journey-new-user", width: 412, height: 915))
        {
            var p = person.Page;
            await p.GotoAsync(link);
            await Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Your VPN profile" })).ToBeVisibleAsync();
            await Expect(p.Locator("main")).ToContainTextAsync("dana");
            await person.ScreenshotAsync("link-page");
            var download = await p.RunAndWaitForDownloadAsync(() => p.GetByRole(AriaRole.Button, new() { Name = "Download" }).ClickAsync());
            Assert.Equal($"{JourneyVpnServer.Profile}-dana.ovpn", download.SuggestedFilename);
            ovpn = await File.ReadAllTextAsync(await download.PathAsync());
            Assert.Contains("<key>", ovpn);
            var again = await p.GotoAsync(link);
            Assert.Equal(410, again!.Status);
            await Expect(p.Locator("main")).ToContainTextAsync("already used");
            await person.ScreenshotAsync("link-used");
            // Chromium reports the used link's 410 on the console; nothing else may be there.
            Assert.All(person.ConsoleErrors, e => Assert.Contains("status of 410", e));
            Assert.Empty(person.ExternalRequests);
        }

        await using var client = await server.Lab.StartClientAsync(ovpn, TimeSpan.FromSeconds(60));
        Assert.True(client.Connected, $"{client}\n--- server ---\n{server.Lab.ServerLog()}");

        await page.GetByRole(AriaRole.Link, new() { Name = "VPN servers", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = server.Name, Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/vpn-servers/{server.Name}$"));
        await s.WaitForInteractiveAsync();
        await page.GetByTestId("vpn-clients-refresh").ClickAsync();
        await Expect(page.GetByTestId("vpn-client-cn")).ToHaveTextAsync("dana", new() { Timeout = 30_000 });
        await s.ScreenshotAsync("dana-connected");
        Assert.Empty(s.ConsoleErrors);
        Assert.Empty(s.ExternalRequests);
    }
}
