using System.Net.Http.Json;
using System.Text.RegularExpressions;
using AdminPortal.Data.Audit;
using AdminPortal.Tests.Email;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.Hosts;
using AdminPortal.Web.Pki;
using AdminPortal.Web.Security;
using Microsoft.Playwright;
using static AdminPortal.Tests.Onboarding.Onboardings;
using static Microsoft.Playwright.Assertions;

namespace AdminPortal.Tests.Browser;

/// <summary>
/// The co-admin's journey in Chromium: the wizard issues the certificate, the shell account on a host whose sshd is down
/// fails, the run page shows it; with sshd back, Retry completes it, the person logs in over SSH and gets the link email.
/// </summary>
[Collection("Browser")]
public sealed class OnboardingJourneyTests(BrowserPortal portal) : IClassFixture<BrowserPortal>
{
    [Fact]
    public async Task Admin_onboards_a_colleague_sees_a_failed_step_and_retries_it()
    {
        var keyDir = Path.Combine(Path.GetTempPath(), "aponj-" + Guid.NewGuid().ToString("N")[..8]);
        var unix = $"apj{Guid.NewGuid():N}"[..12];
        await using var sink = await SmtpSink.StartAsync();
        await using var sshd = await SshdServer.StartAsync();
        try
        {
            Assert.True((await portal.Service<CaService>().CreateAsync("onboarding-ca", null, null, AuditActor.System, default)).Ok);
            var api = await portal.HttpTokenClientAsync(Roles.Admin);
            await EmailPortal.ConfigureSmtpAsync(api, sink.Port);
            Assert.True((await api.PostAsJsonAsync("/api/v1/vpn-profiles", new { name = "office", remoteHost = "vpn.example.test", port = 1194, protocol = "udp" })).IsSuccessStatusCode);
            var credential = await portal.Service<CredentialService>().CreateAsync(new CredentialRequest("onboarding-key"), AuditActor.System, default);
            sshd.Authorize("root", credential.Value!.PublicKey);
            Assert.True((await portal.Service<HostService>().AddAsync(new AddHostRequest("shell-1", "127.0.0.1", sshd.Port, "root", "onboarding-key",
                ExpectedFingerprint: await sshd.FingerprintAsync()), AuditActor.System, default)).Ok);
            var (key, publicKey) = await KeyPairAsync(keyDir);
            sshd.Stop();

            var admin = await portal.CreateOperatorAsync(Roles.Admin);
            await using var s = await portal.NewSessionAsync("onboarding-admin");
            var page = s.Page;
            await s.SignInAsync(admin);
            await page.GetByRole(AriaRole.Link, new() { Name = "Onboarding", Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/onboarding$"));
            await s.WaitForInteractiveAsync();

            await page.GetByTestId("onb-user").FillAsync("bad name!");
            await page.GetByTestId("onb-start").ClickAsync();
            await Expect(page.GetByTestId("onboarding-form")).ToContainTextAsync("A name is 1-64 characters");

            await page.GetByTestId("onb-user").FillAsync("linus");
            await page.GetByTestId("onb-email").FillAsync("linus@example.test");
            await page.GetByTestId("onb-display").FillAsync("Linus T.");
            await page.GetByTestId("onboarding-form").Locator(".mud-select", new() { HasText = "Profile link" }).Last.ClickAsync();
            await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "office" }).ClickAsync();
            await page.GetByTestId("onboarding-form").Locator(".mud-select", new() { HasText = "Shell account on hosts" }).Last.ClickAsync();
            await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "shell-1" }).ClickAsync();
            await page.Keyboard.PressAsync("Escape");
            // The multi-select closes with a server round trip; typing before it has settled can be lost.
            await Expect(page.Locator(".mud-popover-open")).ToHaveCountAsync(0);
            await Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Shell account on hosts" })).ToHaveValueAsync("shell-1");
            await page.GetByTestId("onb-unix-user").FillAsync(unix);
            await page.GetByTestId("onb-public-key").FillAsync(publicKey);
            await page.Keyboard.PressAsync("Tab");
            await Expect(page.GetByTestId("onb-unix-user")).ToHaveValueAsync(unix);
            await Expect(page.GetByTestId("onb-public-key")).ToHaveValueAsync(publicKey);
            await s.ScreenshotAsync("onboarding-form", readme: "onboarding");
            await page.GetByTestId("onb-start").ClickAsync();

            await Expect(page).ToHaveURLAsync(new Regex("/onboarding/[0-9a-f-]{36}$"));
            await Expect(page.GetByTestId("onb-run-status")).ToHaveTextAsync("failed", new() { Timeout = 60_000 });
            await Expect(page.GetByTestId("onb-step-1")).ToHaveTextAsync("done");
            await Expect(page.GetByTestId("onb-step-2")).ToHaveTextAsync("failed");
            await Expect(page.GetByTestId("onb-step-3")).ToHaveTextAsync("pending");
            await Expect(page.GetByTestId("onb-steps")).ToContainTextAsync("connection refused");
            await s.ScreenshotAsync("onboarding-failed", readme: "onboarding-failed");

            await sshd.RestartAsync();
            await page.GetByTestId("onb-retry").ClickAsync();
            await Expect(page.GetByTestId("onb-run-status")).ToHaveTextAsync("done", new() { Timeout = 60_000 });
            await Expect(page.GetByTestId("onb-step-3")).ToHaveTextAsync("done");
            await Expect(page.GetByTestId("onb-steps")).ToContainTextAsync("emailed to linus@example.test");

            Assert.Equal(unix, (await SshAsync(sshd.Port, unix, key, "id -un")).Trim());
            var mail = await sink.WaitForAsync("linus@example.test", "/d/");
            Assert.Equal("Welcome, Linus T.: your VPN profile", mail.Subject);
            await Expect(page.GetByTestId("onb-steps")).ToContainTextAsync("(email sent)");
            await s.ScreenshotAsync("onboarding-done");
            Assert.Single(sink.Messages());
            Assert.Empty(s.ConsoleErrors);
            Assert.Empty(s.ExternalRequests);
        }
        finally
        {
            await RemoveUnixUserAsync(unix);
            if (Directory.Exists(keyDir)) Directory.Delete(keyDir, true);
        }
    }
}
