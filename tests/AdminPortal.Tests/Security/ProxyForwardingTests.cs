using System.Net;
using AdminPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace AdminPortal.Tests.Security;

/// <summary>The portal reached through a proxy at 10.1.2.3 (the test server has no real peer address).</summary>
public class BehindProxyPortalApp : PortalApp
{
    public const string ProxyAddress = "10.1.2.3";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => s.AddTransient<IStartupFilter, PeerAddress>());
    }

    private sealed class PeerAddress : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((ctx, nextMiddleware) =>
            {
                ctx.Connection.RemoteIpAddress = IPAddress.Parse(ProxyAddress);
                return nextMiddleware(ctx);
            });
            next(app);
        };
    }
}

/// <summary>The proxy's network is configured as trusted.</summary>
public sealed class TrustedProxyPortalApp : BehindProxyPortalApp
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings() => [new("Portal:TrustedProxies:0", "10.0.0.0/8")];
}

public static class ProxyRequests
{
    public const string Client = "203.0.113.7";

    /// <summary>A failed login sent through the proxy; returns the client address its audit event recorded.</summary>
    public static async Task<string?> AuditedAddressOfLoginAsync(PortalApp app)
    {
        var email = $"proxied-{Guid.NewGuid():N}"[..16] + "@example.test";
        using var browser = new CookieBrowser(app);
        browser.Follow.DefaultRequestHeaders.Add("X-Forwarded-For", Client);
        await browser.PasswordAsync(email, "whatever password");
        return Assert.Single(await app.AuditAboutAsync($"operator:{email}")).ClientAddress;
    }

    /// <summary>The Set-Cookie headers of the login page fetched as if over HTTPS at the proxy.</summary>
    public static async Task<string> CookiesOverForwardedHttpsAsync(PortalApp app)
    {
        using var client = app.CreateDefaultClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        var page = await client.GetAsync("/account/login");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        return string.Join("\n", page.Headers.GetValues("Set-Cookie"));
    }
}

public sealed class TrustedProxyTests(TrustedProxyPortalApp app) : IClassFixture<TrustedProxyPortalApp>
{
    [Fact]
    public async Task Behind_a_trusted_proxy_the_forwarded_client_address_is_audited() =>
        Assert.Equal(ProxyRequests.Client, await ProxyRequests.AuditedAddressOfLoginAsync(app));

    [Fact]
    public async Task Behind_a_trusted_proxy_that_terminated_tls_cookies_are_secure() =>
        Assert.Contains("secure", await ProxyRequests.CookiesOverForwardedHttpsAsync(app), StringComparison.OrdinalIgnoreCase);
}

public sealed class UntrustedProxyTests(BehindProxyPortalApp app) : IClassFixture<BehindProxyPortalApp>
{
    [Fact]
    public async Task Without_trusted_proxies_a_forwarded_client_address_is_ignored() =>
        Assert.Equal(BehindProxyPortalApp.ProxyAddress, await ProxyRequests.AuditedAddressOfLoginAsync(app));

    [Fact]
    public async Task Without_trusted_proxies_a_forwarded_scheme_is_ignored() =>
        Assert.DoesNotContain("secure", await ProxyRequests.CookiesOverForwardedHttpsAsync(app), StringComparison.OrdinalIgnoreCase);
}
