using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AdminPortal.Web.VpnServers;

public static class VpnServerServices
{
    public static WebApplicationBuilder AddPortalVpnServers(this WebApplicationBuilder builder)
    {
        var s = builder.Services;
        s.TryAddSingleton<Remote.HostScriptRunner>(); // the shared remote layer (other features may register it too)
        s.AddSingleton<VpnServerService>();
        s.AddSingleton<VpnManagement>();
        s.AddSingleton<ServerFiles>();
        s.AddSingleton<VpnServerDiff>();
        s.AddSingleton<PublishSteps>();
        s.AddSingleton<VpnPublisher>();
        s.AddSingleton<VpnSessions>();
        s.AddSingleton<VpnCompromise>();
        return builder;
    }
}
