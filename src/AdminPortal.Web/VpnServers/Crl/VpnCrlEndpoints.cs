using AdminPortal.Data;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.VpnServers.Crl;

/// <summary>A server's deployed CRL as the distribution and the monitor last saw it.</summary>
public sealed record CrlStatusView(string Server, string? State, string? Problem, string? DeployedCrlNumbers, DateTimeOffset? DeployedNextUpdate,
    DateTimeOffset? PushedAt, DateTimeOffset? CheckedAt);

public static class VpnCrlEndpoints
{
    public static RouteGroupBuilder MapVpnCrlEndpoints(this RouteGroupBuilder api)
    {
        var servers = api.MapGroup("/vpn-servers").WithTags("VPN servers");
        servers.MapGet("/{name}/crl", async (string name, IDbContextFactory<PortalDbContext> dbs, CancellationToken ct) =>
                await StatusAsync(dbs, name, ct) is { } s ? Results.Ok(s) : new NotFound("VPN server", name).ToProblem())
            .RequireAuthorization(Permissions.CrlManage).WithSummary("The CRL deployed on the server: state (ok, stale, expiring, unreadable, push-failed), cRLNumber(s), nextUpdate, last push and check.");
        servers.MapPost("/{name}/crl", async (string name, HttpContext http, CrlDistributor distributor, IDbContextFactory<PortalDbContext> dbs, CancellationToken ct) =>
                await distributor.DistributeAsync("on demand", [], name, Actors.From(http), ct) is [var result]
                    ? Results.Ok(result) : new NotFound("VPN server", name).ToProblem())
            .RequireAuthorization(Permissions.CrlManage).WithSummary("Pushes the current CRL to the server now (no restart; SIGHUP with a two-tier CA); 200 with the push result, also when the push failed.");
        return api;
    }

    public static async Task<CrlStatusView?> StatusAsync(IDbContextFactory<PortalDbContext> dbs, string name, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.VpnServers.AsNoTracking().Where(s => s.Name == name)
            .Select(s => new CrlStatusView(s.Name, s.CrlStatus, s.CrlError, s.DeployedCrlNumber, s.DeployedCrlNextUpdate, s.CrlPushedAt, s.CrlCheckedAt))
            .FirstOrDefaultAsync(ct);
    }
}
