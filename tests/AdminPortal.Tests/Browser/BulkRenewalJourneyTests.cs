using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using AdminPortal.Data.Audit;
using AdminPortal.Tests.Pki;
using AdminPortal.Web.Pki;
using AdminPortal.Web.Security;
using Microsoft.Playwright;
using Npgsql;
using static Microsoft.Playwright.Assertions;

namespace AdminPortal.Tests.Browser;

/// <summary>Bulk renewal on the Certificates page in headless Chromium, on a portal of its own.</summary>
[Collection("Browser")]
public sealed class BulkRenewalJourneyTests(BrowserPortal portal) : IClassFixture<BrowserPortal>
{
    [Fact]
    public async Task Admin_renews_selected_expiring_users_and_the_run_goes_on_while_the_admin_is_on_another_page()
    {
        Assert.True((await portal.Service<CaService>().CreateAsync("bulk-journey-ca", "ecdsa-p256", 3650, AuditActor.System, default)).Ok);
        var users = portal.Service<VpnUserService>();
        var old = new Dictionary<string, string>();
        foreach (var (name, days) in new[] { ("ann", 5), ("ben", 12), ("cat", 20), ("dan", 25), ("eve", 60) })
        {
            var issued = await users.IssueAsync(new IssueUserRequest(name, null, days, null), AuditActor.System, default);
            Assert.True(issued.Ok, issued.Error?.Detail);
            old[name] = issued.Value!.Serial;
        }
        string[] selected = ["ann", "ben", "cat"];

        var admin = await portal.CreateOperatorAsync(Roles.Admin, email: "renewer@example.test");
        await using var s = await portal.NewSessionAsync("bulk-renewal");
        var page = s.Page;
        await s.SignInAsync(admin);
        await page.GetByRole(AriaRole.Link, new() { Name = "Certificates", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/certificates$"));
        await s.WaitForInteractiveAsync();
        var within30 = page.GetByTestId("expiring-30");
        await Expect(within30.Locator("tbody tr")).ToHaveCountAsync(4);
        foreach (var name in selected)
            await within30.Locator("tbody tr", new() { Has = page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true }) })
                .Locator("input[type=checkbox]").CheckAsync();
        await Expect(page.GetByTestId("renew-selected")).ToHaveTextAsync("Renew selected (3)");

        var status = page.GetByTestId("bulk-renewal");
        // Another transaction holds ben's certificate row, so the run is certainly still going while the admin
        // leaves the page and comes back; it finishes once the row is released.
        await using (var holder = await HoldCertificateRowAsync("ben"))
        {
            await page.GetByTestId("renew-selected").ClickAsync();
            await Expect(status).ToContainTextAsync(new Regex(@"Renewing: [0-2] of 3 done"));
            await s.ScreenshotAsync("bulk-renewal-running", readme: "bulk-renewal");
            await page.GetByRole(AriaRole.Link, new() { Name = "VPN users", Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/vpn-users$"));
            await page.GetByRole(AriaRole.Link, new() { Name = "Certificates", Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/certificates$"));
            await Expect(status).ToContainTextAsync(new Regex(@"Renewing: [0-2] of 3 done"));
            await Expect(status.Locator(".mud-progress-linear")).ToBeVisibleAsync();
        }
        await Expect(status).ToContainTextAsync("Renewal of 3 certificates finished: 3 renewed, 0 failed.");
        await page.GetByRole(AriaRole.Link, new() { Name = "VPN users", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Certificates", Exact = true }).ClickAsync();
        await Expect(status).ToContainTextAsync("3 renewed, 0 failed");
        await s.ScreenshotAsync("bulk-renewal-finished");
        Assert.Empty(s.ConsoleErrors);

        // Through the API: a new serial each, the old one revoked as superseded by the admin, and in the CRL.
        var api = await portal.TokenClientAsync(Roles.Admin);
        api.BaseAddress = portal.BaseUrl; // the portal listens on real Kestrel here
        var crl = await api.GetStringAsync("/pki/crl.pem");
        using var ssl = new OpenSsl();
        var crlText = ssl.Run("crl", "-in", ssl.Write("crl.pem", crl), "-noout", "-text").Output.Replace(":", "").ToUpperInvariant();
        foreach (var name in selected)
        {
            var view = await api.GetFromJsonAsync<JsonElement>($"/api/v1/vpn-users/{name}");
            Assert.Equal("active", view.GetProperty("status").GetString());
            var certificates = view.GetProperty("certificates").EnumerateArray().ToList();
            Assert.Equal(2, certificates.Count);
            var current = Assert.Single(certificates, c => c.GetProperty("status").GetString() == "active");
            Assert.NotEqual(old[name], current.GetProperty("serial").GetString());
            var previous = Assert.Single(certificates, c => c.GetProperty("serial").GetString() == old[name]);
            Assert.Equal("revoked", previous.GetProperty("status").GetString());
            Assert.Equal("superseded", previous.GetProperty("revocationReason").GetString());
            Assert.Equal("renewer@example.test", previous.GetProperty("revokedBy").GetString());
            Assert.Contains(old[name].ToUpperInvariant(), crlText);
        }
        foreach (var untouched in new[] { "dan", "eve" })
        {
            var view = await api.GetFromJsonAsync<JsonElement>($"/api/v1/vpn-users/{untouched}");
            Assert.Equal(old[untouched], view.GetProperty("certificates").EnumerateArray().Single().GetProperty("serial").GetString());
        }
    }

    /// <summary>An open transaction holding the user's active certificate row; disposing closes the (unpooled)
    /// connection, which ends the transaction and releases the row.</summary>
    private async Task<NpgsqlConnection> HoldCertificateRowAsync(string user)
    {
        var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(portal.SuperuserConnectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        await using (var begin = new NpgsqlCommand("BEGIN", conn)) await begin.ExecuteNonQueryAsync();
        await using var hold = new NpgsqlCommand("""SELECT 1 FROM certificates WHERE "CommonName" = @u AND "Status" = 'active' FOR UPDATE""", conn);
        hold.Parameters.AddWithValue("u", user);
        Assert.Equal(1, await hold.ExecuteScalarAsync());
        return conn;
    }
}
