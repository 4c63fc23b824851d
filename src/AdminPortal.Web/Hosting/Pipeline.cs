using AdminPortal.Web.Account;
using AdminPortal.Web.Api;
using AdminPortal.Web.Bundles;
using AdminPortal.Web.Components;
using AdminPortal.Web.Operators;
using AdminPortal.Web.Pki;
using AdminPortal.Web.Security;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Formatting.Compact;

namespace AdminPortal.Web.Hosting;

public static class Pipeline
{
    public static WebApplicationBuilder AddPortalLogging(this WebApplicationBuilder builder)
    {
        var json = builder.Configuration.GetValue<bool>("Portal:JsonLogs");
        builder.Services.AddSerilog(lc =>
        {
            lc.ReadFrom.Configuration(builder.Configuration)
                .MinimumLevel.Information()
                .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.EntityFrameworkCore", Serilog.Events.LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.Hosting.Lifetime", Serilog.Events.LogEventLevel.Information)
                .Enrich.FromLogContext()
                .Enrich.With<RedactTokensEnricher>();
            if (json) lc.WriteTo.Console(new RenderedCompactJsonFormatter());
            else lc.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
        });
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return builder;
    }

    /// <summary>Migrations (when configured), the roles, and the first-run link when there is no Admin yet.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<PortalOptions>>().Value;
        var log = app.Services.GetRequiredService<ILogger<PortalDatabase>>();
        if (options.ApplyMigrations)
        {
            var applied = await app.Services.GetRequiredService<PortalDatabase>().MigrateAsync(CancellationToken.None);
            if (applied.Count > 0) log.MigrationsApplied(string.Join(", ", applied));
        }
        await app.Services.SeedRolesAsync(CancellationToken.None);
        var links = app.Services.GetRequiredService<SetupLinks>();
        if (app.Environment.IsProduction())
        {
            // A link printed to a container's console ends up in log collectors: in Production the first
            // Admin is created with the CLI, whose output only the person running it sees.
            if (!await links.ActiveAdminExistsAsync(CancellationToken.None))
                log.NoAdminYet();
            return;
        }
        var link = await links.FirstRunLinkAsync(CancellationToken.None);
        if (link is not null)
        {
            // Printed to the console, not the log: it is a one-time credential.
            Console.WriteLine();
            Console.WriteLine("  No Admin yet. Create the first Admin account in your browser (one use, valid 24 h):");
            Console.WriteLine($"  {link}");
            Console.WriteLine();
        }
    }

    /// <summary>
    /// Creates the operator roles that do not exist yet (the run command and the CLI both need them). Instances
    /// starting together may both find a role missing: the one whose insert loses finds it made by the other.
    /// </summary>
    public static async Task SeedRolesAsync(this IServiceProvider services, CancellationToken ct)
    {
        foreach (var role in Roles.All)
        {
            ct.ThrowIfCancellationRequested();
            // A scope per role: a failed insert stays tracked in its context and would be retried with the next role.
            await using var scope = services.CreateAsyncScope();
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
            if (await roles.RoleExistsAsync(role)) continue;
            try
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
            catch (Microsoft.EntityFrameworkCore.DbUpdateException)
            {
                await using var again = services.CreateAsyncScope();
                if (!await again.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>().RoleExistsAsync(role)) throw;
                // made by another instance at the same moment
            }
        }
    }

    /// <summary>
    /// appsettings.json names a default listening address, which would otherwise override the ASPNETCORE_URLS
    /// host setting; an explicit ASPNETCORE_URLS wins unless --urls is given on the command line.
    /// </summary>
    public static WebApplicationBuilder HonourUrlsEnvironment(this WebApplicationBuilder builder, string[] args)
    {
        var urls = Environment.GetEnvironmentVariable("ASPNETCORE_URLS");
        if (!string.IsNullOrWhiteSpace(urls) && !args.Any(a => a.StartsWith("--urls", StringComparison.OrdinalIgnoreCase)))
            builder.WebHost.UseUrls(urls);
        return builder;
    }

    public static WebApplication UsePortalPipeline(this WebApplication app)
    {
        app.UseProxyForwarding();
        app.UseExceptionHandler();
        app.UseSecurityHeaders();
        app.UseBundleFastPath(); // a bundle fetched with a token: the same checks, without the rest of the pipeline (it answers only successes)
        app.UseWhen(ctx => ctx.Request.Path.StartsWithSegments("/api"), api => api.UseStatusCodePages());
        app.UseSerilogRequestLogging(o => o.GetLevel = (ctx, _, ex) =>
            ex is not null || ctx.Response.StatusCode >= 500 ? Serilog.Events.LogEventLevel.Error : Serilog.Events.LogEventLevel.Debug);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseApiBodyLimit(); // after authorization: an anonymous caller's body is never read
        app.UseAntiforgery();

        app.MapStaticAssets().AllowAnonymous();
        app.MapHealthChecks("/healthz", new HealthCheckOptions()).AllowAnonymous();
        app.MapPortalApi();
        app.MapPublicPki();
        app.MapDownloadLinks();
        app.MapAccountEndpoints();
        // SecurityHeaders sends the one CSP (frame-ancestors 'none'); Blazor would add a second, laxer header.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
        return app;
    }
}

/// <summary>Logs from before the host exists (choosing and starting the database).</summary>
internal static class StartupLog
{
    public static Microsoft.Extensions.Logging.ILogger Create(WebApplicationBuilder builder) =>
        LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).AddConfiguration(builder.Configuration.GetSection("Logging")))
            .CreateLogger("AdminPortal.Startup");
}

internal sealed class DatabaseHealthCheck(Npgsql.NpgsqlDataSource dataSource) : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
{
    public async Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
        Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("SELECT 1");
            await cmd.ExecuteScalarAsync(ct);
            return Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            return Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Unhealthy("The database does not answer.");
        }
    }
}

internal static partial class PipelineLog
{
    [LoggerMessage(LogLevel.Information, "Applied migrations: {Migrations}")]
    public static partial void MigrationsApplied(this Microsoft.Extensions.Logging.ILogger logger, string migrations);

    [LoggerMessage(LogLevel.Warning, "No Admin yet. Create the first Admin with the command: admin create --email E --role Admin")]
    public static partial void NoAdminYet(this Microsoft.Extensions.Logging.ILogger logger);
}
