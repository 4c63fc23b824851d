using System.Text.RegularExpressions;
using AdminPortal.Web.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminPortal.Tests.Browser;

[CollectionDefinition("Browser", DisableParallelization = true)]
public sealed class BrowserCollectionDefinition;

/// <summary>Operators' journeys through the real portal in headless Chromium.</summary>
[Collection("Browser")]
public sealed class PortalJourneyTests(BrowserPortal portal) : IClassFixture<BrowserPortal>
{
    [Fact]
    public async Task Admin_signs_in_with_totp_and_walks_through_dashboard_audit_operators_and_settings()
    {
        var admin = await portal.CreateOperatorAsync(Roles.Admin, email: "admin@example.test");
        await using var s = await portal.NewSessionAsync("admin-journey");
        var page = s.Page;

        await s.SignInAsync(admin, forReadme: true);

        // Dashboard: the figures and the chart, with today's sign-in events in the last bar.
        await Expect(page.GetByTestId("fig-operators")).ToHaveTextAsync(new Regex(@"^\s*[1-9]\d*\s*$"));
        await Expect(page.GetByTestId("fig-events")).ToHaveTextAsync(new Regex(@"^\s*[1-9][\d,]*\s*$"));
        await Expect(page.GetByTestId("activity-chart")).ToBeVisibleAsync();
        var today = page.Locator("[data-testid=activity-chart] rect.bar-ok").Last;
        Assert.True(double.Parse((await today.GetAttributeAsync("height"))!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        await Expect(page.GetByTestId("whoami")).ToContainTextAsync("admin@example.test");
        await s.WaitForInteractiveAsync();
        await s.ScreenshotAsync("dashboard", readme: "dashboard");

        // Audit: the login events are listed, and "Verify now" checks the chain once the circuit is live.
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/audit$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Audit trail" })).ToBeVisibleAsync();
        await Expect(page.Locator("tbody tr", new() { HasText = "operator.login.succeeded" }).First).ToBeVisibleAsync();
        await Expect(page.Locator("tbody tr", new() { HasText = "operator.login.password_accepted" }).First).ToBeVisibleAsync();
        await page.GetByTestId("audit-verify").ClickAsync(); // auto-waits until enabled, i.e. interactive
        await Expect(page.GetByTestId("verify-result")).ToContainTextAsync("The chain verifies");
        await s.ScreenshotAsync("audit", readme: "audit");

        await page.GetByRole(AriaRole.Link, new() { Name = "Operators", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/operators$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Operators" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "admin@example.test", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("invite")).ToBeEnabledAsync();
        await s.ScreenshotAsync("operators", readme: "operators");

        await page.GetByRole(AriaRole.Link, new() { Name = "Settings", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/settings$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Settings" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Master key" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("token-create")).ToBeEnabledAsync();
        await s.ScreenshotAsync("settings", readme: "settings");

        // A phone: the dashboard reflows without horizontal scrolling.
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("/");
        await Expect(page.GetByTestId("activity-chart")).ToBeVisibleAsync();
        await s.WaitForInteractiveAsync();
        Assert.True(await s.FitsTheViewportAsync(), "The dashboard scrolls horizontally at 390 px");
        await s.ScreenshotAsync("dashboard-phone", readme: "dashboard-phone");

        // The audit table turns into cards on a phone; long addresses wrap instead of widening the page.
        await page.GotoAsync("/audit");
        await Expect(page.Locator("tr", new() { HasText = "operator.login.succeeded" }).First).ToBeVisibleAsync();
        await s.WaitForInteractiveAsync();
        Assert.True(await s.FitsTheViewportAsync(), "The audit page scrolls horizontally at 390 px");
        await s.ScreenshotAsync("audit-phone");

        Assert.Empty(s.ConsoleErrors);
        Assert.Empty(s.ExternalRequests);
    }

    [Fact]
    public async Task Helpdesk_typing_admin_addresses_sees_access_denied()
    {
        var helpdesk = await portal.CreateOperatorAsync(Roles.Helpdesk);
        await using var s = await portal.NewSessionAsync("helpdesk-denied");
        var page = s.Page;
        await s.SignInAsync(helpdesk);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Audit", Exact = true })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Operators", Exact = true })).ToHaveCountAsync(0);

        foreach (var address in new[] { "/operators", "/audit", "/settings" })
        {
            var response = await page.GotoAsync(address);
            Assert.Equal(403, response!.Status);
            await Expect(page.GetByTestId("access-denied")).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Access denied" })).ToBeVisibleAsync();
            await s.ScreenshotAsync("denied" + address.Replace('/', '-'));
        }

        // Inside the running app (no page load), the router shows the same refusal in the portal's layout.
        await page.GotoAsync("/");
        await Expect(page.Locator("#dashboard-title")).ToBeVisibleAsync();
        // A round trip through the circuit (the menu toggle) also proves the router intercepts navigation by now.
        var drawer = page.Locator(".mud-drawer");
        await page.GetByLabel("Toggle navigation").ClickAsync();
        await Expect(drawer).Not.ToHaveClassAsync(new Regex("mud-drawer--open"));
        await page.GetByLabel("Toggle navigation").ClickAsync();
        await Expect(drawer).ToHaveClassAsync(new Regex("mud-drawer--open"));
        await page.EvaluateAsync("() => Blazor.navigateTo('/operators')");
        await Expect(page.GetByTestId("access-denied")).ToContainTextAsync("Helpdesk");
        await Expect(page.GetByTestId("whoami")).ToBeVisibleAsync();
        await s.ScreenshotAsync("denied-in-app", readme: "access-denied");
        // The refusals above are 403 responses, which the browser reports; nothing else may fail.
        Assert.All(s.ConsoleErrors, e => Assert.Contains("status of 403", e));
    }
}
