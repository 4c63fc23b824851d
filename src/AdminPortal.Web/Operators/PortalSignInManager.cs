using System.Security.Claims;
using AdminPortal.Data;
using AdminPortal.Data.Operators;
using AdminPortal.Web.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Operators;

/// <summary>
/// Identity's sign-in manager, refusing disabled operators (also when their cookie is revalidated), and recording each
/// sign-in as a server-side session (<see cref="OperatorSessions"/>) whose id the cookie carries.
/// </summary>
public sealed class PortalSignInManager(
    UserManager<Operator> users, IHttpContextAccessor http, IUserClaimsPrincipalFactory<Operator> factory,
    IOptions<IdentityOptions> options, ILogger<SignInManager<Operator>> logger, IAuthenticationSchemeProvider schemes,
    IUserConfirmation<Operator> confirmation, PortalDbContext db, OperatorSessions sessions)
    : SignInManager<Operator>(users, http, factory, options, logger, schemes, confirmation)
{
    /// <summary>
    /// Every full sign-in (password, second factor, enrolment, first-run setup) comes through here: the session is
    /// recorded with the scope's DbContext, so it commits with the sign-in's own bookkeeping and audit event.
    /// </summary>
    public override async Task SignInWithClaimsAsync(Operator user, AuthenticationProperties? authenticationProperties, IEnumerable<Claim> additionalClaims)
    {
        var id = await sessions.StartAsync(db, user.Id, Context.User, Context.RequestAborted);
        await base.SignInWithClaimsAsync(user, authenticationProperties, additionalClaims.Append(new Claim(OperatorSessions.ClaimType, id)));
    }

    public override async Task<bool> CanSignInAsync(Operator user) =>
        !user.IsDisabled && await base.CanSignInAsync(user);

    /// <summary>
    /// Called by the cookie's security-stamp validator: a disabled operator's cookie is rejected even when its
    /// stamp still matches (disabling changes the stamp, but a cookie issued afterwards would carry the new one).
    /// </summary>
    public override async Task<Operator?> ValidateSecurityStampAsync(System.Security.Claims.ClaimsPrincipal? principal) =>
        await base.ValidateSecurityStampAsync(principal) is { IsDisabled: false } user ? user : null;
}

/// <summary>Password policy: length over composition rules, and not the operator's own address.</summary>
public sealed class NotEmailPasswordValidator : IPasswordValidator<Operator>
{
    public async Task<IdentityResult> ValidateAsync(UserManager<Operator> manager, Operator user, string? password)
    {
        var email = (await manager.GetEmailAsync(user)) ?? "";
        var local = email.Split('@')[0];
        return local.Length >= 3 && password?.Contains(local, StringComparison.OrdinalIgnoreCase) == true
            ? IdentityResult.Failed(new IdentityError { Code = "PasswordContainsEmail", Description = "The password must not contain your email name." })
            : IdentityResult.Success;
    }
}
