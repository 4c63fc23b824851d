namespace AdminPortal.Web.VpnServers;

public static class VpnServerServices
{
    public static WebApplicationBuilder AddPortalVpnServers(this WebApplicationBuilder builder)
    {
        var s = builder.Services;
        s.AddSingleton<VpnServerService>();
        s.AddSingleton<VpnManagement>();
        return builder;
    }
}
