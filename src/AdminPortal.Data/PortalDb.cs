using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Data;

public static class PortalDb
{
    public const string MigrationsAssembly = "AdminPortal.Migrations";

    /// <summary>The database role the application's login is a member of; it may not change the audit trail.</summary>
    public const string AppRole = "portal_app";

    public static DbContextOptionsBuilder<PortalDbContext> Configure(DbContextOptionsBuilder<PortalDbContext> b, string connectionString) =>
        b.UseNpgsql(connectionString, o => o.MigrationsAssembly(MigrationsAssembly)).AddInterceptors(Email.OutboxNotifier.Instance);

    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder b, Npgsql.NpgsqlDataSource dataSource) =>
        b.UseNpgsql(dataSource, o => o.MigrationsAssembly(MigrationsAssembly)).AddInterceptors(Email.OutboxNotifier.Instance);
}
