namespace AdminPortal.Web.VpnServers;

public static class VpnServerServices
{
    public static WebApplicationBuilder AddPortalVpnServers(this WebApplicationBuilder builder)
    {
        var s = builder.Services;
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
