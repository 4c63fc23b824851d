using AdminPortal.Web.Errors;
using AdminPortal.Web.Security;

namespace AdminPortal.Web.Operators;

public sealed record InviteOperatorRequest(string? Email, string? DisplayName, string? Role);
public sealed record ChangeRoleRequest(string? Role);

public static class OperatorEndpoints
{
    public static RouteGroupBuilder MapOperatorEndpoints(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/operators").WithTags("Operators").RequireAuthorization(Permissions.OperatorsManage);
        g.MapGet("", (OperatorService ops, CancellationToken ct) => ops.ListAsync(ct)).WithSummary("All operators with their role and state.");
        g.MapPost("", async (InviteOperatorRequest body, HttpContext http, OperatorService ops, CancellationToken ct) =>
                (await ops.InviteAsync(body.Email, body.DisplayName, body.Role, Actors.From(http), ct))
                    .ToHttp(inv => TypedResults.Created($"/api/v1/operators/{inv.Operator.Id}", inv)))
            .WithSummary("Invites an operator: returns a one-time setup link (valid 24 h) to hand over.");
        g.MapPut("/{id}/role", async (string id, ChangeRoleRequest body, HttpContext http, OperatorService ops, CancellationToken ct) =>
                (await ops.ChangeRoleAsync(id, body.Role, Actors.From(http), ct)).ToHttp(TypedResults.Ok))
            .WithSummary("Changes an operator's role.");
        g.MapPost("/{id}/disable", async (string id, HttpContext http, OperatorService ops, CancellationToken ct) =>
                (await ops.SetDisabledAsync(id, true, Actors.From(http), ct)).ToHttp(TypedResults.Ok))
            .WithSummary("Disables an operator; their sessions end within a minute.");
        g.MapPost("/{id}/enable", async (string id, HttpContext http, OperatorService ops, CancellationToken ct) =>
                (await ops.SetDisabledAsync(id, false, Actors.From(http), ct)).ToHttp(TypedResults.Ok))
            .WithSummary("Enables a disabled operator.");
        g.MapPost("/{id}/reset-2fa", async (string id, HttpContext http, OperatorService ops, CancellationToken ct) =>
                (await ops.ResetTwoFactorAsync(id, Actors.From(http), ct)).ToHttp(TypedResults.Ok))
            .WithSummary("Removes the operator's second factor; they enrol again at their next login.");
        return api;
    }
}
