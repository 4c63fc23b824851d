namespace AdminPortal.Web.Bundles;

public static class BundleServices
{
    public static WebApplicationBuilder AddPortalBundles(this WebApplicationBuilder builder)
    {
        var s = builder.Services;
        s.AddOptions<BundleOptions>().BindConfiguration(BundleOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        s.AddSingleton<VpnProfileService>();
        s.AddSingleton<BundleBuilder>();
        s.AddSingleton<BundleMaterial>();
        s.AddSingleton<BuiltBundleCache>();
        s.AddSingleton<BundleDownloads>();
        s.AddSingleton<DownloadLinks>();
        s.AddSingleton<LinkGuard>();
        s.AddSingleton<HelpdeskContact>();
        return builder;
    }
}
