using AdminPortal.Web.Errors;
using AdminPortal.Web.Security;

namespace AdminPortal.Web.VpnServers;

public static class VpnServerEndpoints
{
    public static RouteGroupBuilder MapVpnServerEndpoints(this RouteGroupBuilder api)
    {
        var servers = api.MapGroup("/vpn-servers").WithTags("VPN servers");
        servers.MapPost("", async (CreateVpnServerRequest body, HttpContext http, VpnServerService svc, CancellationToken ct) =>
                (await svc.CreateAsync(body, Actors.From(http), ct)).ToHttp(s => TypedResults.Created($"/api/v1/vpn-servers/{s.Name}", s)))
            .RequireAuthorization(Permissions.VpnServersManage)
            .WithSummary("Adds a VPN server: a managed host plus the OpenVPN instance on it serving a profile (config dir, run mode, unit, socket, user).");
        servers.MapGet("", async (VpnServerService svc, CancellationToken ct) => TypedResults.Ok(await svc.ListAsync(ct)))
            .RequireAuthorization(Permissions.HostsTrust).WithSummary("VPN servers with their publish and CRL state.");
        servers.MapGet("/{name}", async (string name, VpnServerService svc, CancellationToken ct) =>
                await svc.GetAsync(name, ct) is { } s ? Results.Ok(s) : new NotFound("VPN server", name).ToProblem())
            .RequireAuthorization(Permissions.HostsTrust).WithSummary("One VPN server.");
        return api;
    }
}
