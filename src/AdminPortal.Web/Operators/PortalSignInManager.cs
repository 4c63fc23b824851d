using AdminPortal.Data.Operators;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Operators;

/// <summary>Identity's sign-in manager, refusing disabled operators (also when their cookie is revalidated).</summary>
public sealed class PortalSignInManager(
    UserManager<Operator> users, IHttpContextAccessor http, IUserClaimsPrincipalFactory<Operator> factory,
    IOptions<IdentityOptions> options, ILogger<SignInManager<Operator>> logger, IAuthenticationSchemeProvider schemes,
    IUserConfirmation<Operator> confirmation)
    : SignInManager<Operator>(users, http, factory, options, logger, schemes, confirmation)
{
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
