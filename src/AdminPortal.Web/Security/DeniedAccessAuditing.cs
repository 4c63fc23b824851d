using AdminPortal.Data.Audit;
using AdminPortal.Web.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace AdminPortal.Web.Security;

/// <summary>
/// Records every request refused for lack of permission (an operator or token that IS authenticated
/// asking for something its role does not allow) as an <c>access.denied</c> event: a security lead wants
/// to see who tried what.
/// </summary>
public sealed class DeniedAccessAuditing(AuditedWork work) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && Actors.IsFullyAuthenticated(context.User))
        {
            var target = $"{context.Request.Method} {context.Request.Path}";
            var allowed = policy.Requirements.OfType<RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles).Distinct().ToArray();
            await work.RecordAsync(new AuditEntry(Actors.From(context), "access.denied", AuditText.Truncate(target, 200),
                new { allowedRoles = allowed }, AuditOutcome.Denied), context.RequestAborted);
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
