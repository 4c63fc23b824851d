namespace AdminPortal.Web.Pki;

public static class PkiServices
{
    public static WebApplicationBuilder AddPortalPki(this WebApplicationBuilder builder)
    {
        var s = builder.Services;
        s.AddOptions<PkiOptions>().BindConfiguration(PkiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        s.AddSingleton<CaKeys>();
        s.AddSingleton<CrlService>();
        s.AddSingleton<CrlChanges>();
        s.AddSingleton<CaService>();
        s.AddSingleton<VpnUserService>();
        s.AddSingleton<PkiQueries>();
        s.AddSingleton<EasyRsaImport>();
        s.AddSingleton<PkiBackup>();
        s.AddSingleton<BulkRenewals>();
        s.AddSingleton<ImportRuns>();
        s.AddHostedService<CrlRefreshJob>();
        return builder;
    }
}
