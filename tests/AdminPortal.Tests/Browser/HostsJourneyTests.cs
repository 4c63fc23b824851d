using System.Text.RegularExpressions;
using AdminPortal.Data.Audit;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.Hosts;
using AdminPortal.Web.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminPortal.Tests.Browser;

/// <summary>Hosts and actions in headless Chromium against a real sshd: approve a key, run an action, watch its output.</summary>
[Collection("Browser")]
public sealed class HostsJourneyTests(BrowserPortal portal) : IClassFixture<BrowserPortal>
{
    [Fact]
    public async Task Admin_approves_a_host_key_runs_an_action_on_a_group_and_reads_its_output()
    {
        await using var sshd = await SshdServer.StartAsync();
        var credential = await portal.Service<CredentialService>().CreateAsync(new CredentialRequest("browser-key"), AuditActor.System, default);
        sshd.Authorize(SshdServer.TestUser, credential.Value!.PublicKey);
        var added = await portal.Service<HostService>().AddAsync(
            new AddHostRequest("web-1", "127.0.0.1", sshd.Port, SshdServer.TestUser, "browser-key", ["web"]), AuditActor.System, default);
        Assert.True(added.Ok, added.Error?.Detail);
        var fingerprint = await sshd.FingerprintAsync();

        var admin = await portal.CreateOperatorAsync(Roles.Admin);
        await using var s = await portal.NewSessionAsync("hosts-admin");
        var page = s.Page;
        await s.SignInAsync(admin);

        await page.GetByRole(AriaRole.Link, new() { Name = "Hosts", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/hosts$"));
        var row = page.Locator("tr", new() { Has = page.GetByRole(AriaRole.Link, new() { Name = "web-1", Exact = true }) });
        await Expect(row.GetByTestId("trust")).ToHaveTextAsync("untrusted");
        await Expect(row).ToContainTextAsync(fingerprint);

        await row.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/hosts/web-1$"));
        await Expect(page.GetByTestId("presented-fp")).ToHaveTextAsync(fingerprint);
        await s.WaitForInteractiveAsync();
        await Expect(page.GetByTestId("trust-input")).ToHaveValueAsync(fingerprint);
        await page.GetByTestId("trust-button").ClickAsync();
        await Expect(page.GetByTestId("trust-message")).ToContainTextAsync($"Approved {fingerprint}");
        await Expect(page.GetByTestId("trusted-fp")).ToHaveTextAsync(fingerprint);

        await page.GetByRole(AriaRole.Link, new() { Name = "Actions", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/actions$"));
        await s.WaitForInteractiveAsync();
        await page.GetByTestId("action-item").Filter(new() { HasText = "system.info" }).ClickAsync();
        await Expect(page.GetByTestId("run-form")).ToContainTextAsync("Kernel, uptime");
        await page.GetByTestId("run-form").Locator(".mud-select", new() { HasText = "or a group" }).Last.ClickAsync();
        await page.GetByText("web", new() { Exact = true }).ClickAsync();
        await page.GetByTestId("run-start").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/runs/[0-9a-f-]{36}$"));
        await Expect(page.GetByTestId("run-host").GetByTestId("run-status")).ToHaveTextAsync("succeeded", new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("run-output")).ToContainTextAsync("Linux");
        await Expect(page.GetByTestId("run-output")).ToContainTextAsync(new Regex(@"\d\d:\d\d:\d\d\.\d{3} out "));
        await s.ScreenshotAsync("run", "run");

        await page.GetByRole(AriaRole.Link, new() { Name = "Runs", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("run-link")).ToHaveCountAsync(1);
        Assert.Empty(s.ConsoleErrors);
        Assert.Empty(s.ExternalRequests);
    }
}
