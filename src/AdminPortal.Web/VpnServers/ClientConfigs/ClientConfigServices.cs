namespace AdminPortal.Web.VpnServers.ClientConfigs;

public static class ClientConfigServices
{
    /// <summary>Per-user client-config-dir files (static addresses and routes), pushed with the CRL distribution's <c>RemoteFiles</c>.</summary>
    public static WebApplicationBuilder AddPortalClientConfigs(this WebApplicationBuilder builder)
    {
        var s = builder.Services;
        s.AddSingleton<ClientConfigPusher>();
        s.AddSingleton<ClientConfigService>();
        return builder;
    }
}
