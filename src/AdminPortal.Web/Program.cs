using AdminPortal.Web.Api;
using AdminPortal.Web.Bundles;
using AdminPortal.Web.Cli;
using AdminPortal.Web.Components;
using AdminPortal.Web.Email;
using AdminPortal.Web.Hosting;
using AdminPortal.Web.Hosts;
using AdminPortal.Web.Mail;
using AdminPortal.Web.Notifications;
using AdminPortal.Web.Onboarding;
using AdminPortal.Web.Pki;
using AdminPortal.Web.Security;
using AdminPortal.Web.VpnServers;
using AdminPortal.Web.VpnServers.ClientConfigs;
using AdminPortal.Web.VpnServers.Crl;

if (args is ["help" or "--help"])
{
    Console.WriteLine(PortalCli.Usage);
    return 0;
}

var isCli = PortalCli.IsCommand(args);
var builder = WebApplication.CreateBuilder(isCli ? [] : args);
builder.AddPortalLogging().HonourUrlsEnvironment(isCli ? [] : args);

PortalDatabase database;
try
{
    database = await PortalDatabase.ResolveAsync(builder.Configuration, builder.Environment, StartupLog.Create(builder), CancellationToken.None);
}
catch (StartupException e)
{
    Console.Error.WriteLine($"AdminPortal cannot start: {e.Message}");
    return 2;
}

builder.AddPortalCore(database).AddPortalSecurity().AddPortalApi().AddPortalPki().AddPortalBundles().AddPortalEmail().AddPortalHosts().AddPortalMail().AddPortalVpnServers()
    .AddPortalNotifications().AddPortalOnboarding().AddPortalUi();
builder.AddPortalVpnCrl().AddPortalClientConfigs();
var app = builder.Build();

try
{
    if (isCli) return await PortalCli.RunAsync(args, app.Services, CancellationToken.None);
    await app.PrepareDatabaseAsync();
    app.UsePortalPipeline();
    await app.RunAsync();
    return 0;
}
finally
{
    if (database.Embedded is not null) await database.Embedded.StopAsync();
}

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
