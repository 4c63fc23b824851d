using AdminPortal.Web.Hosts.Actions;
using AdminPortal.Web.Hosts.Runs;
using AdminPortal.Web.Hosts.Ssh;
using AdminPortal.Web.Remote;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AdminPortal.Web.Hosts;

public static class HostServices
{
    public static WebApplicationBuilder AddPortalHosts(this WebApplicationBuilder builder)
    {
        var s = builder.Services;
        s.AddOptions<HostsOptions>().BindConfiguration(HostsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        s.AddSingleton<SshKeys>();
        s.AddSingleton<SshPool>();
        s.AddSingleton<AdminPortal.Web.Security.IInstanceCache>(sp => sp.GetRequiredService<SshPool>());
        s.AddSingleton<RemoteShell>();
        s.TryAddSingleton<HostScriptRunner>();
        s.AddSingleton<FilePush>();
        s.AddSingleton<CredentialService>();
        s.AddSingleton<HostService>();
        s.AddSingleton<ActionCatalog>();
        s.AddSingleton<RunMonitor>();
        s.AddSingleton<RunWrites>();
        s.AddSingleton<RunExecutor>();
        s.AddSingleton<RunService>();
        s.AddSingleton<RunQueries>();
        s.AddSingleton<RunLeases>();
        s.AddHostedService(sp => sp.GetRequiredService<RunLeases>());
        return builder;
    }
}
