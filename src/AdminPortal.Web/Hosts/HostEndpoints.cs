using AdminPortal.Data;
using AdminPortal.Web.Api;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosts.Actions;
using AdminPortal.Web.Hosts.Runs;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Hosts;

public sealed record TrustRequest(string? Fingerprint);

public sealed record AddHostBody(string? Name, string? Address, int? Port, string? User, string? Credential,
    IReadOnlyList<string>? Groups, IReadOnlyList<string>? AllowedServices, string? Fingerprint);

public static class HostEndpoints
{
    public static RouteGroupBuilder MapHostEndpoints(this RouteGroupBuilder api)
    {
        var creds = api.MapGroup("/credentials").WithTags("Hosts");
        creds.MapPost("", async (CredentialRequest body, HttpContext http, CredentialService svc, CancellationToken ct) =>
                (await svc.CreateAsync(body, Actors.From(http), ct)).ToHttp(c => TypedResults.Created(Locations.Of("/api/v1/credentials", c.Name), c)))
            .RequireAuthorization(Permissions.HostsManage)
            .WithSummary("Generates an ed25519 key pair ({name}) or imports a private key ({name, privateKeyPem, passphrase}); returns the public key only.");
        creds.MapGet("", async (IDbContextFactory<PortalDbContext> dbs, CancellationToken ct) =>
            {
                await using var db = await dbs.CreateDbContextAsync(ct);
                return TypedResults.Ok((await db.SshCredentials.AsNoTracking().OrderBy(c => c.Name).ToListAsync(ct)).Select(CredentialService.View));
            })
            .RequireAuthorization(Permissions.HostsManage).WithSummary("Credentials with their public keys (never a private key).");

        var hosts = api.MapGroup("/hosts").WithTags("Hosts");
        hosts.MapPost("", async (AddHostBody b, HttpContext http, HostService svc, CancellationToken ct) =>
                (await svc.AddAsync(new AddHostRequest(b.Name, b.Address, b.Port, b.User, b.Credential, b.Groups, b.AllowedServices, b.Fingerprint),
                    Actors.From(http), ct)).ToHttp(h => TypedResults.Created(Locations.Of("/api/v1/hosts", h.Name), h)))
            .RequireAuthorization(Permissions.HostsManage)
            .WithSummary("Adds a host and fetches its key (presentedFingerprint); `fingerprint` approves an expected key in advance.");
        hosts.MapGet("", async (HostService svc, CancellationToken ct) => TypedResults.Ok(await svc.ListAsync(ct)))
            .RequireAuthorization(Permissions.HostsTrust).WithSummary("Hosts with trust state, fingerprints, last contact and pool state.");
        hosts.MapGet("/{name}", async (string name, HostService svc, CancellationToken ct) =>
                await svc.GetAsync(name, ct) is { } h ? Results.Ok(h) : new NotFound("Host", name).ToProblem())
            .RequireAuthorization(Permissions.HostsTrust).WithSummary("One host.");
        hosts.MapPost("/{name}/trust", async (string name, TrustRequest body, HttpContext http, HostService svc, CancellationToken ct) =>
                (await svc.TrustAsync(name, body.Fingerprint, Actors.From(http), ct)).ToHttp(TypedResults.Ok))
            .RequireAuthorization(Permissions.HostsTrust).WithSummary("Approves the host key with this SHA256 fingerprint (first use, or replacing a changed key): only the key the host presents now, which the portal reads; any other is a 409 that changes nothing.");

        api.MapGet("/actions", (ActionCatalog catalog) => TypedResults.Ok(catalog.All.Select(a => new
        {
            a.Name, a.Description, a.Permission, timeoutSeconds = a.Timeout.TotalSeconds, a.NeedsConfirmation,
            parameters = a.Parameters.Select(p => new { p.Name, type = p.Type.ToString(), p.Label, p.Required, p.Pattern, p.Min, p.Max, p.Choices }),
        })))
            .WithTags("Runs").RequireAuthorization(Permissions.ActionsRun).WithSummary("The action catalog with typed parameters.");

        var runs = api.MapGroup("/runs").WithTags("Runs");
        runs.MapPost("", async (RunRequest body, HttpContext http, RunService svc, CancellationToken ct) =>
                (await svc.StartAsync(body, Actors.From(http), ct)).ToHttp(r => TypedResults.Accepted($"/api/v1/runs/{r.Id}", r)))
            .RequireAuthorization(Permissions.ActionsRun)
            .WithSummary("Starts an action on hosts (a list) or a group, with typed parameters; 202 with the run id.");
        runs.MapGet("", async (RunQueries q, string? action, string? host, string? status, int? limit, CancellationToken ct) =>
                TypedResults.Ok(await q.ListAsync(action, host, status, limit ?? 50, ct)))
            .RequireAuthorization(Permissions.ActionsRun).WithSummary("Run history, newest first; filter by action, host, status.");
        runs.MapGet("/{id}", async (string id, RunQueries q, CancellationToken ct) =>
                Guid.TryParse(id, out var g) && await q.GetAsync(g, true, ct) is { } r ? Results.Ok(r) : new NotFound("Run", id).ToProblem())
            .RequireAuthorization(Permissions.ActionsRun).WithSummary("A run: status, and per host the exit code, stored output and truncated flag.");
        runs.MapPost("/{id}/cancel", (string id, HttpContext http, RunService svc) =>
                Guid.TryParse(id, out var g) ? svc.Cancel(g, Actors.From(http)).ToHttp(_ => TypedResults.Accepted($"/api/v1/runs/{id}"))
                    : new NotFound("Run", id).ToProblem())
            .RequireAuthorization(Permissions.ActionsRun).WithSummary("Cancels a running run: its remote commands are sent SIGTERM.");
        return api;
    }
}
