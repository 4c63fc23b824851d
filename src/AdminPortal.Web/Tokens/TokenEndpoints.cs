using AdminPortal.Web.Api;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Security;

namespace AdminPortal.Web.Tokens;

public sealed record CreateTokenRequest(string? Name, string? Role);

public static class TokenEndpoints
{
    public static RouteGroupBuilder MapTokenEndpoints(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/tokens").WithTags("API tokens").RequireAuthorization(Permissions.TokensManage);
        g.MapGet("", (ApiTokenService tokens, CancellationToken ct) => tokens.ListAsync(ct)).WithSummary("All API tokens (never the secrets).");
        g.MapPost("", async (CreateTokenRequest body, HttpContext http, ApiTokenService tokens, CancellationToken ct) =>
                (await tokens.CreateAsync(body.Name, body.Role, Actors.From(http), ct))
                    .ToHttp(t => TypedResults.Created(Locations.Of("/api/v1/tokens", t.Info.Name), t)))
            .WithSummary("Creates a token bound to a role. The secret is in this response only.");
        g.MapDelete("/{name}", async (string name, HttpContext http, ApiTokenService tokens, CancellationToken ct) =>
                (await tokens.RevokeAsync(name, Actors.From(http), ct)).ToHttp(TypedResults.Ok))
            .WithSummary("Revokes a token at once.");
        return api;
    }
}
