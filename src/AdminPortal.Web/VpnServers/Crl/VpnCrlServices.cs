namespace AdminPortal.Web.VpnServers.Crl;

public static class VpnCrlServices
{
    /// <summary>CRL distribution and the freshness monitor.</summary>
    public static WebApplicationBuilder AddPortalVpnCrl(this WebApplicationBuilder builder)
    {
        var s = builder.Services;
        s.AddOptions<VpnCrlOptions>().BindConfiguration(VpnCrlOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        s.AddSingleton<RemoteFiles>();
        s.AddSingleton<CrlStatusRecorder>();
        s.AddSingleton<CrlDistributor>();
        s.AddHostedService<CrlDistribution>();
        s.AddSingleton<CrlMonitorJob>();
        s.AddHostedService(sp => sp.GetRequiredService<CrlMonitorJob>());
        return builder;
    }
}
