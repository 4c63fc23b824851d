using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.RegularExpressions;
using AdminPortal.Tests.Bundles;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminPortal.Tests.Browser;

/// <summary>VPN servers in headless Chromium against a real sshd and a real OpenVPN in a test namespace: add, diff, publish, clients, kick.</summary>
[Collection("Browser")]
[SupportedOSPlatform("linux")]
public sealed class VpnServerJourneyTests(BrowserPortal portal) : IClassFixture<BrowserPortal>
{
    [Fact]
    public async Task Admin_adds_a_server_reads_the_diff_publishes_and_kicks_a_connected_client()
    {
        var api = await portal.HttpTokenClientAsync(Roles.Admin);
        await using var sshd = await SshdServer.StartAsync();
        var credential = await (await api.PostAsJsonAsync("/api/v1/credentials", new { name = "vpn-journey-key" })).Content.ReadFromJsonAsync<JsonElement>();
        sshd.Authorize("root", credential.GetProperty("publicKey").GetString()!);
        var host = await (await api.PostAsJsonAsync("/api/v1/hosts", new
        {
            name = "vpn-host-1", address = "127.0.0.1", port = sshd.Port, user = "root", credential = "vpn-journey-key", fingerprint = await sshd.FingerprintAsync(),
        })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(await sshd.FingerprintAsync(), host.GetProperty("trustedFingerprint").GetString());
        await BundleSetup.EnsureCaAndProfileAsync(api, "Journey-CA", new { name = "office", remoteHost = "127.0.0.1", port = 1194, protocol = "tcp" });
        await using var vpnHost = await VpnHostLab.StartAsync(sshd);

        var admin = await portal.CreateOperatorAsync(Roles.Admin);
        await using var s = await portal.NewSessionAsync("vpn-servers-admin");
        var page = s.Page;
        await s.SignInAsync(admin);

        await page.GetByRole(AriaRole.Link, new() { Name = "VPN servers", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/vpn-servers$"));
        await s.WaitForInteractiveAsync();
        await page.GetByTestId("vpn-server-name").FillAsync("office-1");
        await page.Locator(".mud-select", new() { HasText = "Host" }).First.ClickAsync();
        await page.GetByText("vpn-host-1", new() { Exact = true }).ClickAsync();
        await page.Locator(".mud-select", new() { HasText = "Profile" }).First.ClickAsync();
        await page.GetByText("office", new() { Exact = true }).ClickAsync();
        await page.GetByTestId("vpn-server-configdir").FillAsync(vpnHost.ConfigDir);
        await page.Locator(".mud-select", new() { HasText = "Run mode" }).First.ClickAsync();
        await page.GetByText("daemon", new() { Exact = true }).ClickAsync();
        await page.GetByTestId("vpn-server-netns").FillAsync(vpnHost.Namespace);
        await page.GetByTestId("vpn-server-add").ClickAsync();
        var row = page.Locator("tr", new() { Has = page.GetByRole(AriaRole.Link, new() { Name = "office-1", Exact = true }) });
        await Expect(row).ToContainTextAsync("vpn-host-1");

        await row.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/vpn-servers/office-1$"));
        await Expect(page.GetByTestId("vpn-server-last-published")).ToContainTextAsync("never");
        await s.WaitForInteractiveAsync();
        await page.GetByTestId("vpn-diff").ClickAsync();
        await Expect(page.GetByTestId("vpn-diff-file")).ToHaveCountAsync(6, new() { Timeout = 20_000 });
        await Expect(page.GetByTestId("vpn-diff-files")).ToContainTextAsync("+client-config-dir ccd");
        await Expect(page.GetByTestId("vpn-diff-file").Filter(new() { HasText = "key material" })).ToHaveCountAsync(2);
        await Expect(page.GetByTestId("vpn-diff-files")).Not.ToContainTextAsync("PRIVATE KEY");

        await page.GetByTestId("vpn-publish").ClickAsync();
        await Expect(page.GetByTestId("vpn-publish-confirmation")).ToContainTextAsync("OpenVPN restarts");
        await page.GetByTestId("vpn-publish-confirm").ClickAsync();
        await Expect(page.GetByTestId("vpn-publish-run").GetByTestId("run-status")).ToHaveTextAsync("succeeded", new() { Timeout = 90_000 });
        await Expect(page.GetByTestId("vpn-server-last-published")).Not.ToContainTextAsync("never");

        var user = await api.PostAsJsonAsync("/api/v1/vpn-users", new { name = "carol" });
        Assert.Equal(HttpStatusCode.Created, user.StatusCode);
        var ovpn = await api.GetStringAsync("/api/v1/vpn-users/carol/bundle?profile=office&platform=ovpn");
        await using var client = await vpnHost.StartClientAsync(ovpn);
        Assert.True(client.Connected, client.ToString());

        await page.GetByTestId("vpn-clients-refresh").ClickAsync();
        await Expect(page.GetByTestId("vpn-client-cn")).ToHaveTextAsync("carol", new() { Timeout = 20_000 });
        await s.ScreenshotAsync("vpn-server", "vpn-server");
        await page.GetByTestId("vpn-client-kick").ClickAsync();
        await Expect(page.GetByTestId("vpn-clients-message")).ToContainTextAsync("Kicked carol", new() { Timeout = 20_000 });
        Assert.True(await client.WaitExitAsync(TimeSpan.FromSeconds(15)), client.ToString());

        await page.GetByTestId("vpn-publish-run-link").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/runs/[0-9a-f-]{36}$"));
        await Expect(page.GetByTestId("run-output")).ToContainTextAsync("OpenVPN accepted the configuration");

        // The server was compromised: the guided flow replaces the profile's keys and republishes.
        var oldSerial = (await api.GetFromJsonAsync<JsonElement>("/api/v1/vpn-profiles"))[0].GetProperty("serverSerial").GetString();
        await page.GoBackAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/vpn-servers/office-1$"));
        await s.WaitForInteractiveAsync();
        await page.GetByTestId("vpn-compromised").ClickAsync();
        await Expect(page.GetByTestId("vpn-compromised-confirmation")).ToContainTextAsync("stops working");
        await page.GetByTestId("vpn-compromised-name").FillAsync("offic");
        await Expect(page.GetByTestId("vpn-compromised-confirm")).ToBeDisabledAsync();
        await page.GetByTestId("vpn-compromised-name").FillAsync("office");
        await page.GetByTestId("vpn-compromised-confirm").ClickAsync();
        await Expect(page.GetByTestId("vpn-compromised-noemail")).ToContainTextAsync("carol", new() { Timeout = 30_000 });
        var newSerial = (await api.GetFromJsonAsync<JsonElement>("/api/v1/vpn-profiles"))[0].GetProperty("serverSerial").GetString();
        Assert.NotEqual(oldSerial, newSerial);
        await Expect(page.GetByTestId("vpn-compromised-serial")).ToHaveTextAsync(newSerial!);
        await page.GetByTestId("vpn-compromised-run").GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/runs/[0-9a-f-]{36}$"));
        await Expect(page.GetByTestId("run-output")).ToContainTextAsync("healthy", new() { Timeout = 90_000 });
        Assert.Empty(s.ConsoleErrors);
        Assert.Empty(s.ExternalRequests);
    }
}
