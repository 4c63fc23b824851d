using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Jobs;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Secrets;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AdminPortal.Web.Hosting;

public static class CoreServices
{
    /// <summary>Options, the database, the master key, the audit chain and the job scheduler.</summary>
    public static WebApplicationBuilder AddPortalCore(this WebApplicationBuilder builder, PortalDatabase database)
    {
        var s = builder.Services;
        s.AddOptions<PortalOptions>().BindConfiguration(PortalOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        s.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        s.AddSingleton(database);
        s.AddProxyForwarding(builder.Configuration);
        s.TryAddSingletonTimeProvider();

        s.AddSingleton(_ => AppDataSource(database.AppConnectionString));
        s.AddDbContextFactory<PortalDbContext>((sp, o) => PortalDb.Configure(o, sp.GetRequiredService<NpgsqlDataSource>()));
        s.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext());

        s.AddMasterKey();

        s.AddSingleton<AuditLog>();
        s.AddSingleton(sp =>
        {
            var portal = sp.GetRequiredService<IOptions<PortalOptions>>().Value;
            var audit = sp.GetRequiredService<IOptions<AuditOptions>>().Value;
            var data = portal.ResolveDataDirectory();
            return new CheckpointSettings(
                Path.GetFullPath(audit.CheckpointDirectory ?? Path.Combine(data, "audit-checkpoints"), PortalOptions.CheckoutRoot()),
                Path.GetFullPath(audit.CheckpointKeyFile ?? Path.Combine(data, "audit-checkpoint.key"), PortalOptions.CheckoutRoot()));
        });
        s.AddSingleton<AuditCheckpoints>();
        s.AddSingleton<AuditVerifier>();
        s.AddSingleton<AuditedWork>();
        s.AddSingleton<AuditBatcher>();
        s.AddSingleton<AuditQuery>();
        s.AddSingleton<AuditIntegrity>();
        s.AddSingleton<JobLeases>();
        s.AddHostedService<CheckpointJob>();
        if (database.Embedded is not null) s.AddHostedService(_ => new EmbeddedPostgresLifetime(database.Embedded));
        return builder;
    }

    /// <summary>
    /// The app's connections. Unless the connection string says otherwise, Npgsql prepares the statements a
    /// connection runs often (Max Auto Prepare): the portal runs the same few dozen statements over and over, and
    /// PostgreSQL then skips parsing and planning them (measured in tests/AdminPortal.Benchmarks/RESULTS-PKI.md).
    /// </summary>
    private static NpgsqlDataSource AppDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (!builder.ConnectionStringBuilder.ContainsKey("Max Auto Prepare")) builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        return builder.Build();
    }

    private static void TryAddSingletonTimeProvider(this IServiceCollection s)
    {
        if (!s.Any(d => d.ServiceType == typeof(TimeProvider))) s.AddSingleton(TimeProvider.System);
    }
}

/// <summary>Stops the private PostgreSQL cluster when the portal stops.</summary>
internal sealed class EmbeddedPostgresLifetime(EmbeddedPostgres pg) : IHostedService
{
    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StopAsync(CancellationToken ct) => pg.StopAsync();
}

internal static partial class CoreServicesLog
{
    [LoggerMessage(LogLevel.Warning, "Generated a new master key at {Path} (mode 0600). Back it up: without it no stored secret can be read. See README, 'Master key'.")]
    public static partial void MasterKeyGenerated(this ILogger logger, string path);
}
