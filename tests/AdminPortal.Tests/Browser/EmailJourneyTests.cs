using System.Text.RegularExpressions;
using AdminPortal.Data.Email;
using AdminPortal.Testing;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.Email;
using AdminPortal.Web.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminPortal.Tests.Browser;

/// <summary>SMTP settings and the outbox in headless Chromium, against a real smtp-sink that first refuses with 5xx.</summary>
[Collection("Browser")]
public sealed class EmailJourneyTests(BrowserPortal portal) : IClassFixture<BrowserPortal>
{
    [Fact]
    public async Task Admin_configures_smtp_sends_a_test_email_sees_it_fail_and_retries_it_from_the_outbox()
    {
        await using var sink = await SmtpSink.StartAsync("-f", "RCPT");
        var admin = await portal.CreateOperatorAsync(Roles.Admin, email: "mail-admin@example.test");
        await using var s = await portal.NewSessionAsync("email");
        var page = s.Page;
        await s.SignInAsync(admin);

        await page.GetByRole(AriaRole.Link, new() { Name = "Settings", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/settings$"));
        var form = page.GetByTestId("smtp-form");
        await Expect(form).ToContainTextAsync("Not configured yet");
        await page.GetByTestId("smtp-host").FillAsync("smtp example");
        await page.GetByTestId("smtp-from").FillAsync("portal@example.test");
        await page.GetByTestId("smtp-save").ClickAsync();
        await Expect(form).ToContainTextAsync("must be a host name or an IP address");

        await page.GetByTestId("smtp-host").FillAsync("127.0.0.1");
        await page.GetByTestId("smtp-port").FillAsync(sink.Port.ToString());
        await form.Locator(".mud-select").First.ClickAsync();
        await page.GetByText("None", new() { Exact = true }).ClickAsync();
        await page.GetByTestId("smtp-password").FillAsync("journey-smtp-password");
        await page.GetByTestId("smtp-helpdesk").FillAsync("the service desk, ext. 4242");
        await page.GetByTestId("smtp-save").ClickAsync();
        await Expect(form).ToContainTextAsync("A password is stored");
        await Expect(page.GetByTestId("smtp-password")).ToHaveValueAsync("");

        await page.GetByTestId("smtp-test-to").FillAsync("nobody");
        await page.GetByTestId("smtp-test-send").ClickAsync();
        await Expect(form).ToContainTextAsync("is not an email address");
        await page.GetByTestId("smtp-test-to").FillAsync("ops@example.test");
        await page.GetByTestId("smtp-test-send").ClickAsync();
        await Expect(page.Locator(".mud-snackbar", new() { HasText = "queued; see the outbox" })).ToBeVisibleAsync();
        await WaitForStatusAsync(OutboxStatus.Failed);

        await page.GetByRole(AriaRole.Link, new() { Name = "Email outbox", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/outbox$"));
        var row = page.GetByTestId("outbox-table").Locator("tr", new() { HasText = "ops@example.test" });
        await Expect(row.GetByTestId("outbox-status")).ToHaveTextAsync("failed");
        await Expect(row).ToContainTextAsync("SMTP 500");
        await PkiJourneyTests.DismissSnackbarsAsync(page);
        await s.ScreenshotAsync("outbox-failed", readme: "outbox");

        await sink.StartAgainAsync();
        await row.GetByTestId("outbox-retry").ClickAsync();
        await Expect(page.Locator(".mud-snackbar", new() { HasText = "queued again" })).ToBeVisibleAsync();
        await sink.WaitForAsync("ops@example.test", "email delivery works");
        await WaitForStatusAsync(OutboxStatus.Sent);
        await page.ReloadAsync();
        await Expect(page.GetByTestId("outbox-table").Locator("tr", new() { HasText = "ops@example.test" }).GetByTestId("outbox-status"))
            .ToHaveTextAsync("sent");
        Assert.DoesNotContain("journey-smtp-password", await page.ContentAsync());
    }

    private async Task WaitForStatusAsync(string status)
    {
        var outbox = portal.Service<OutboxService>();
        await Eventually.Async(() => outbox.ListAsync(null, 10, default), list => list.Any(m => m.To == "ops@example.test" && m.Status == status),
            $"the test email {status}");
    }
}
