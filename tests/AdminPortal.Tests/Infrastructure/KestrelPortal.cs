using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AdminPortal.Tests.Infrastructure;

/// <summary>The portal on real Kestrel (127.0.0.1, a free port), for clients that speak real HTTP: a person's plain HttpClient, wrk.</summary>
public class KestrelPortal : PortalApp, IAsyncLifetime
{
    public Uri BaseUrl { get; private set; } = default!;

    public virtual Task InitializeAsync()
    {
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseUrl = new Uri(address.Replace("[::1]", "127.0.0.1"));
        return Task.CompletedTask;
    }

    /// <summary>An API client with a new token of this role, over real HTTP.</summary>
    public async Task<HttpClient> HttpTokenClientAsync(string role)
    {
        var client = await TokenClientAsync(role);
        client.BaseAddress = BaseUrl;
        return client;
    }

    /// <summary>A browser-less person on the network: no cookies, no token, redirects not followed.</summary>
    public HttpClient Anonymous() => new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = BaseUrl };

    /// <summary>Stops the server (IAsyncLifetime's end of the class fixture).</summary>
    public new virtual async Task DisposeAsync() => await base.DisposeAsync();
}
