using AdminPortal.Web.Api;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Security;

namespace AdminPortal.Web.VpnServers;

public sealed record DirectivesBody(IReadOnlyList<string>? ServerDirectives);

public static class VpnServerEndpoints
{
    public static RouteGroupBuilder MapVpnServerEndpoints(this RouteGroupBuilder api)
    {
        var servers = api.MapGroup("/vpn-servers").WithTags("VPN servers");
        servers.MapPost("", async (CreateVpnServerRequest body, HttpContext http, VpnServerService svc, CancellationToken ct) =>
                (await svc.CreateAsync(body, Actors.From(http), ct)).ToHttp(s => TypedResults.Created(Locations.Of("/api/v1/vpn-servers", s.Name), s)))
            .RequireAuthorization(Permissions.VpnServersManage)
            .WithSummary("Adds a VPN server: a managed host plus the OpenVPN instance on it serving a profile (config dir, run mode, unit, socket, user).");
        servers.MapGet("", async (VpnServerService svc, CancellationToken ct) => TypedResults.Ok(await svc.ListAsync(ct)))
            .RequireAuthorization(Permissions.HostsTrust).WithSummary("VPN servers with their publish and CRL state.");
        servers.MapGet("/{name}", async (string name, VpnServerService svc, CancellationToken ct) =>
                await svc.GetAsync(name, ct) is { } s ? Results.Ok(s) : new NotFound("VPN server", name).ToProblem())
            .RequireAuthorization(Permissions.HostsTrust).WithSummary("One VPN server.");
        servers.MapPut("/{name}/directives", async (string name, DirectivesBody body, HttpContext http, VpnServerService svc, CancellationToken ct) =>
                (await svc.SetDirectivesAsync(name, body.ServerDirectives, Actors.From(http), ct)).ToHttp(TypedResults.Ok))
            .RequireAuthorization(Permissions.VpnServersManage).WithSummary("Replaces the allow-listed extra server directives (takes effect with the next publish).");
        servers.MapGet("/{name}/diff", async (string name, VpnServerDiff diff, CancellationToken ct) => (await diff.DiffAsync(name, ct)).ToHttp(TypedResults.Ok))
            .RequireAuthorization(Permissions.VpnServersManage)
            .WithSummary("What a publish would change, per file: new/changed/unchanged, a unified diff (key files: SHA-256 prefixes only).");
        servers.MapPost("/{name}/publish", async (string name, HttpContext http, VpnPublisher publisher, CancellationToken ct) =>
                (await publisher.StartAsync(name, Actors.From(http), ct)).ToHttp(r => TypedResults.Accepted($"/api/v1/runs/{r.Id}", new { runId = r.Id })))
            .RequireAuthorization(Permissions.VpnServersManage)
            .WithSummary("Publishes the server's files as a run (stage, check with OpenVPN, back up, install, restart, health; rollback on failure); 202 {runId}.");
        servers.MapPost("/{name}/rebuild", async (string name, RebuildRequest body, HttpContext http, VpnPublisher publisher, CancellationToken ct) =>
                (await publisher.RebuildAsync(name, body, Actors.From(http), ct)).ToHttp(r => TypedResults.Accepted($"/api/v1/runs/{r.Id}", new { runId = r.Id })))
            .RequireAuthorization(Permissions.VpnServersManage)
            .WithSummary("Rebuilds the server on a fresh host {host, configDir?, netNamespace?}: points it there, installs openvpn and socat when missing, publishes; 202 {runId}.");
        servers.MapGet("/{name}/clients", async (string name, VpnSessions sessions, CancellationToken ct) => (await sessions.ClientsAsync(name, ct)).ToHttp(TypedResults.Ok))
            .RequireAuthorization(Permissions.HostsTrust)
            .WithSummary("Connected clients from the management interface: common name, real and virtual address, bytes, connected since, client id.");
        servers.MapPost("/{name}/clients/{id}/kick", async (string name, string id, HttpContext http, VpnSessions sessions, CancellationToken ct) =>
                (await sessions.KickAsync(name, id, Actors.From(http), ct)).ToHttp(TypedResults.Ok))
            .RequireAuthorization(Permissions.CertificatesRevoke).WithSummary("Disconnects a client (client-kill ID HALT: it exits, no reconnect); audited.");
        api.MapPost("/vpn-profiles/{name}/compromised", async (string name, CompromisedRequest body, HttpContext http, VpnCompromise flow, CancellationToken ct) =>
                (await flow.RunAsync(name, body, Actors.From(http), ct)).ToHttp(TypedResults.Ok))
            .RequireAuthorization(Permissions.VpnServersManage).WithTags("VPN servers")
            .WithSummary("A server of the profile was compromised {confirm: profile name, reason?, resendLinks?, platform?}: revokes the server certificate, " +
                "issues a new one, rotates the tls-crypt key, republishes every server of the profile and emails users new links.");
        return api;
    }
}
