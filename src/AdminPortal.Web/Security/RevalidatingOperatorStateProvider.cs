using System.Security.Claims;
using AdminPortal.Data.Operators;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Security;

/// <summary>
/// Re-checks an open circuit's operator every minute: a signed-out session (on any instance), one past its absolute
/// lifetime, a disabled operator, a changed role or a reset second factor (the last three change the security stamp)
/// ends the interactive session.
/// </summary>
public sealed class RevalidatingOperatorStateProvider(ILoggerFactory logger, IServiceScopeFactory scopes, IOptions<IdentityOptions> options,
    OperatorSessions sessions)
    : RevalidatingServerAuthenticationStateProvider(logger)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        if (!await sessions.IsLiveAsync(authenticationState.User, cancellationToken)) return false;
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Operator>>();
        var user = await users.GetUserAsync(authenticationState.User);
        if (user is null || user.IsDisabled) return false;
        if (!users.SupportsUserSecurityStamp) return true;
        var stamp = authenticationState.User.FindFirstValue(options.Value.ClaimsIdentity.SecurityStampClaimType);
        return stamp == await users.GetSecurityStampAsync(user);
    }
}
