using AdminPortal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace AdminPortal.Migrations;

/// <summary>Lets <c>dotnet ef</c> build the context; the connection string only matters for commands that connect.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext(string[] args) =>
        new(PortalDb.Configure(new DbContextOptionsBuilder<PortalDbContext>(),
            Environment.GetEnvironmentVariable("ConnectionStrings__PortalMigrations") ?? "Host=127.0.0.1;Database=adminportal").Options);
}
