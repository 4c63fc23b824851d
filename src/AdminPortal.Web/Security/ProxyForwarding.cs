using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace AdminPortal.Web.Security;

/// <summary>
/// Behind a TLS-terminating proxy: the client address and scheme come from X-Forwarded-For/-Proto, but only
/// from the proxies named in <c>Portal:TrustedProxies</c> (addresses or CIDR networks). Empty by default, and
/// then no forwarded header is believed: anybody could send one.
/// </summary>
public static class ProxyForwarding
{
    public const string TrustedProxiesKey = "Portal:TrustedProxies";

    public static IServiceCollection AddProxyForwarding(this IServiceCollection services, IConfiguration config)
    {
        var trusted = config.GetSection(TrustedProxiesKey).Get<string[]>() ?? [];
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = trusted.Length == 0 ? ForwardedHeaders.None : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // The defaults trust loopback; only the configured proxies are trusted here.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var entry in trusted.Select(t => t.Trim()).Where(t => t.Length > 0))
            {
                if (entry.Contains('/')) o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(entry));
                else o.KnownProxies.Add(IPAddress.Parse(entry));
            }
        });
        return services;
    }

    /// <summary>First in the pipeline, so everything after it (auditing, cookies' Secure flag) sees the client's values.</summary>
    public static WebApplication UseProxyForwarding(this WebApplication app)
    {
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ForwardedHeadersOptions>>().Value.ForwardedHeaders != ForwardedHeaders.None)
            app.UseForwardedHeaders();
        return app;
    }
}
