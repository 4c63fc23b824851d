using AdminPortal.Data;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.VpnServers.ClientConfigs;

public sealed record ClientConfigBody(string? Profile, string? StaticAddress, List<string>? Routes);

public static class ClientConfigEndpoints
{
    public static RouteGroupBuilder MapClientConfigEndpoints(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/vpn-users").WithTags("VPN users");
        users.MapGet("/{name}/client-config", async (string name, ClientConfigService svc, IDbContextFactory<PortalDbContext> dbs, CancellationToken ct) =>
                await UserExistsAsync(dbs, name, ct) ? Results.Ok(await svc.ListAsync(name, ct)) : new NotFound("VPN user", name).ToProblem())
            .RequireAuthorization(Permissions.VpnUsersRead).WithSummary("The user's static address and routes on each VPN profile.");
        users.MapPut("/{name}/client-config", async (string name, ClientConfigBody body, HttpContext http, ClientConfigService svc, CancellationToken ct) =>
                (await svc.SetAsync(name, new ClientConfigRequest(body.Profile, body.StaticAddress, body.Routes), Actors.From(http), ct)).ToHttp(TypedResults.Ok))
            .RequireAuthorization(Permissions.VpnServersManage).WithSummary("Sets the user's static tunnel address (inside the profile's network) and the networks behind the client (CIDR); pushed at once to the profile's servers as ccd/NAME.");
        return api;
    }

    private static async Task<bool> UserExistsAsync(IDbContextFactory<PortalDbContext> dbs, string name, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.VpnUsers.AnyAsync(u => u.Name == name, ct);
    }
}
