using System.Net;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AdminPortal.Tests.Security;

/// <summary>The portal with a clock the test moves, so the one-minute cookie revalidation can be reached without waiting.</summary>
public sealed class ClockedPortalApp : PortalApp
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => s.AddSingleton<TimeProvider>(Clock));
    }
}

public sealed class SessionRevalidationTests(ClockedPortalApp app) : IClassFixture<ClockedPortalApp>
{
    private static readonly TimeSpan PastRevalidation = TimeSpan.FromMinutes(2);

    public static TheoryData<string, string, string, string?> Changes => new()
    {
        { "a role change", "PUT", "role", """{"role":"Helpdesk"}""" },
        { "disabling", "POST", "disable", null },
        { "a second-factor reset", "POST", "reset-2fa", null },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task An_open_cookie_session_loses_its_access_at_the_next_revalidation_after(string what, string method, string action, string? body)
    {
        using var admin = await app.TokenClientAsync(Roles.Admin);
        var op = await app.CreateOperatorAsync(Roles.Auditor);
        using var browser = await new CookieBrowser(app).LoginAsync(op);
        Assert.Equal(HttpStatusCode.OK, (await browser.NoFollow.GetAsync("/audit")).StatusCode);

        var changed = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/api/v1/operators/{op.Id}/{action}")
        {
            Content = body is null ? null : SecurityClients.Json(body),
        });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        app.Clock.Advance(PastRevalidation);

        var page = await browser.NoFollow.GetAsync("/audit");
        var api = await browser.NoFollow.GetAsync("/api/v1/audit");

        Assert.True(page.StatusCode == HttpStatusCode.Redirect && page.Headers.Location!.AbsolutePath == "/account/login", $"{what}: {page.StatusCode} {page.Headers.Location}");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task An_unchanged_operator_keeps_the_session_across_revalidations()
    {
        var op = await app.CreateOperatorAsync(Roles.Auditor);
        using var browser = await new CookieBrowser(app).LoginAsync(op);

        app.Clock.Advance(PastRevalidation);
        var first = await browser.NoFollow.GetAsync("/audit");
        app.Clock.Advance(PastRevalidation);
        var second = await browser.NoFollow.GetAsync("/api/v1/audit");

        Assert.True(first.StatusCode == HttpStatusCode.OK, $"{first.StatusCode} {first.Headers.Location}");
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(Roles.Auditor, (await (await browser.NoFollow.GetAsync("/api/v1/me")).JsonAsync()).GetProperty("role").GetString());
    }

    [Fact]
    public async Task An_enrolment_that_takes_longer_than_the_revalidation_interval_still_completes()
    {
        var op = await app.CreateOperatorAsync(Roles.Auditor, enrolTotp: false);
        using var browser = new CookieBrowser(app);
        var enrolPage = await browser.PasswordAsync(op.Email, op.Password);
        Assert.Equal("/account/enrol", CookieBrowser.PathOf(enrolPage));
        var key = System.Text.RegularExpressions.Regex.Match(await enrolPage.Content.ReadAsStringAsync(), "data-testid=\"totp-key\">([^<]+)<")
            .Groups[1].Value.Replace(" ", "").ToUpperInvariant();

        app.Clock.Advance(PastRevalidation); // scanning the code and finding the phone
        var done = await Forms.PostAsync(browser.Follow, "/account/enrol", "enrol", new() { ["Form.Code"] = (op with { TotpSecret = key }).Code() });

        Assert.Contains("operator.2fa.enrolled", await app.AuditActionsAboutAsync($"operator:{op.Email}"));
        Assert.Equal(HttpStatusCode.OK, (await browser.NoFollow.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task A_session_in_use_all_along_ends_at_its_absolute_lifetime_of_twelve_hours()
    {
        var op = await app.CreateOperatorAsync(Roles.Auditor);
        using var browser = await new CookieBrowser(app).LoginAsync(op);

        // Used every five hours: each request is within the idle timeout and renews the cookie.
        app.Clock.Advance(TimeSpan.FromHours(5));
        Assert.Equal(HttpStatusCode.OK, (await browser.NoFollow.GetAsync("/api/v1/me")).StatusCode);
        app.Clock.Advance(TimeSpan.FromHours(5));
        Assert.Equal(HttpStatusCode.OK, (await browser.NoFollow.GetAsync("/audit")).StatusCode);
        app.Clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));

        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.NoFollow.GetAsync("/api/v1/me")).StatusCode);
        var page = await browser.NoFollow.GetAsync("/audit");
        Assert.True(page.StatusCode == HttpStatusCode.Redirect && page.Headers.Location!.AbsolutePath == "/account/login", $"{page.StatusCode} {page.Headers.Location}");
    }

    [Fact]
    public async Task An_idle_session_ends_after_eight_hours()
    {
        var op = await app.CreateOperatorAsync(Roles.Auditor);
        using var browser = await new CookieBrowser(app).LoginAsync(op);

        app.Clock.Advance(TimeSpan.FromHours(8) + TimeSpan.FromMinutes(1));

        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.NoFollow.GetAsync("/api/v1/me")).StatusCode);
    }
}
