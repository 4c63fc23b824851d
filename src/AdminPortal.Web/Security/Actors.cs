using System.Security.Claims;
using AdminPortal.Data.Audit;

namespace AdminPortal.Web.Security;

/// <summary>Turns the signed-in principal (operator or API token) into the actor an audit event names.</summary>
public static class Actors
{
    public const string AuthMethodClaim = "amr";
    public const string Mfa = "mfa";
    public const string TokenAuthType = "ApiToken";

    public static string RoleOf(ClaimsPrincipal user) =>
        Roles.All.FirstOrDefault(user.IsInRole) ?? "None";

    public static AuditActor From(ClaimsPrincipal user, string? clientAddress) =>
        new(user.Identity?.Name ?? "anonymous", RoleOf(user), clientAddress);

    public static AuditActor From(HttpContext http) =>
        From(http.User, http.Connection.RemoteIpAddress?.ToString());

    public static bool IsToken(ClaimsPrincipal user) => user.Identity?.AuthenticationType == TokenAuthType;

    /// <summary>A full session: an API token, or an operator who passed the second factor.</summary>
    public static bool IsFullyAuthenticated(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && (IsToken(user) || user.HasClaim(AuthMethodClaim, Mfa));
}
