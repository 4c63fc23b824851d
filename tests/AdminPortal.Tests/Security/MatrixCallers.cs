using System.Net;
using System.Net.Http.Headers;
using AdminPortal.Testing;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Security;
using AdminPortal.Web.Tokens;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AdminPortal.Tests.Security;

/// <summary>The real clock moved by an offset a test sets and takes back (a fake clock cannot go back).</summary>
public sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}

/// <summary>The portal on a <see cref="ShiftedClock"/>, so a session can be taken past its lifetime without waiting.</summary>
public sealed class MatrixPortalApp : PortalApp
{
    public ShiftedClock Clock { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => s.AddSingleton<TimeProvider>(Clock));
    }
}

/// <summary>
/// Who calls in the authorization matrix: nobody, each role by bearer token and by session cookie, a token
/// that was revoked through the API after it had been used, and a session past the configured cookie lifetime.
/// </summary>
public static class MatrixCallers
{
    public const string Anonymous = "anonymous";
    public const string RevokedToken = "revoked token";
    public const string ExpiredSession = "expired session";

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string> { Anonymous };
        foreach (var role in Roles.All)
        {
            data.Add($"{role} by token");
            data.Add($"{role} by cookie");
        }
        data.Add(RevokedToken);
        data.Add(ExpiredSession);
        return data;
    }

    /// <summary>The role of a "Role by token|cookie" caller; null for the callers who must get nothing.</summary>
    public static string? RoleOf(string caller) => caller.Contains(" by ") ? caller[..caller.IndexOf(" by ", StringComparison.Ordinal)] : null;

    public static bool ByCookie(string caller) => caller.EndsWith(" by cookie", StringComparison.Ordinal);

    /// <summary>A client that does not follow redirects, and what to dispose when done.</summary>
    public static async Task<(HttpClient Client, IDisposable Owner)> StartAsync(MatrixPortalApp app, string caller)
    {
        switch (caller)
        {
            case Anonymous:
                var anonymous = app.CreateClient(new() { AllowAutoRedirect = false });
                return (anonymous, anonymous);
            case RevokedToken:
                var revoked = await RevokedTokenClientAsync(app);
                return (revoked, revoked);
            case ExpiredSession:
                return await ExpiredSessionAsync(app);
        }
        var role = RoleOf(caller)!;
        if (!ByCookie(caller))
        {
            var token = await app.TokenClientAsync(role);
            return (token, token);
        }
        var browser = await new CookieBrowser(app).LoginAsync(await app.CreateOperatorAsync(role));
        return (browser.NoFollow, browser);
    }

    /// <summary>An Admin token made and revoked through the API, used (so held in the token cache) in between.</summary>
    private static async Task<HttpClient> RevokedTokenClientAsync(MatrixPortalApp app)
    {
        using var admin = await app.TokenClientAsync(Roles.Admin);
        var name = $"revoked-{Guid.NewGuid():N}"[..20];
        var created = await admin.PostAsync("/api/v1/tokens", SecurityClients.Json($$"""{"name":"{{name}}","role":"Admin"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var secret = (await created.JsonAsync()).GetProperty("token").GetString()!;
        var client = app.CreateClient(new() { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);

        var cache = app.Service<ApiTokenCache>();
        await Eventually.TrueAsync(() => cache.Live, "the token cache listening");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);
        Assert.NotNull(cache.Find(SecretTokens.Hash(secret)));

        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/api/v1/tokens/{name}")).StatusCode);
        return client;
    }

    /// <summary>An Admin signed in through the forms, then the clock moved past the configured session lifetime.</summary>
    private static async Task<(HttpClient, IDisposable)> ExpiredSessionAsync(MatrixPortalApp app)
    {
        var browser = await new CookieBrowser(app).LoginAsync(await app.CreateOperatorAsync(Roles.Admin));
        Assert.Equal(HttpStatusCode.OK, (await browser.NoFollow.GetAsync("/api/v1/me")).StatusCode);
        var lifetime = app.Service<IOptionsMonitor<CookieAuthenticationOptions>>().Get(IdentityConstants.ApplicationScheme).ExpireTimeSpan;
        app.Clock.Offset = lifetime + TimeSpan.FromMinutes(1);
        return (browser.NoFollow, new ClockReset(app.Clock, browser));
    }

    private sealed class ClockReset(ShiftedClock clock, IDisposable browser) : IDisposable
    {
        public void Dispose()
        {
            clock.Offset = TimeSpan.Zero;
            browser.Dispose();
        }
    }
}
