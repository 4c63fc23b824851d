using System.Security.Claims;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Operators;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Security;
using Microsoft.AspNetCore.Identity;
using QRCoder;

namespace AdminPortal.Web.Account;

public sealed record EnrolmentStart(string Email, string SharedKey, string OtpAuthUri, string QrPngDataUri);

/// <summary>TOTP enrolment: required of every operator before anything else opens.</summary>
public sealed class EnrolmentService(AuditedWork work, IHttpContextAccessor http, UserManager<Operator> users, IUserStore<Operator> store)
{
    public const string Issuer = "AdminPortal";

    public async Task<EnrolmentStart?> StartAsync(ClaimsPrincipal principal)
    {
        var user = await users.GetUserAsync(principal);
        if (user is null) return null;
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            // A first key replaces no factor, so the security stamp stays (ResetAuthenticatorKeyAsync would change
            // it, and the password-only cookie would then be rejected at its next revalidation, a minute later).
            await ((IUserAuthenticatorKeyStore<Operator>)store).SetAuthenticatorKeyAsync(user, users.GenerateNewAuthenticatorKey(), CancellationToken.None);
            await users.UpdateAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
        }
        var uri = $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(user.Email!)}?secret={key}&issuer={Uri.EscapeDataString(Issuer)}&digits=6";
        using var qr = QRCodeGenerator.GenerateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(qr).GetGraphic(5);
        return new EnrolmentStart(user.Email!, Group(key!), uri, "data:image/png;base64," + Convert.ToBase64String(png));
    }

    /// <summary>Checks the first code, turns the second factor on, and returns the recovery codes (shown once).</summary>
    public Task<IReadOnlyList<string>?> ConfirmAsync(ClaimsPrincipal principal, string code, CancellationToken ct) =>
        work.RunAsync<IReadOnlyList<string>?>(async (sp, _, _) =>
        {
            var scopedUsers = sp.GetRequiredService<UserManager<Operator>>();
            var signIn = sp.GetRequiredService<SignInManager<Operator>>();
            signIn.Context = http.HttpContext!;
            var user = await scopedUsers.GetUserAsync(principal);
            if (user is null) return (null, null);
            var clean = code.Replace(" ", "").Replace("-", "");
            if (!await scopedUsers.VerifyTwoFactorTokenAsync(user, scopedUsers.Options.Tokens.AuthenticatorTokenProvider, clean))
                return (null, null);
            await scopedUsers.SetTwoFactorEnabledAsync(user, true);
            var codes = (await scopedUsers.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))!.ToList();
            await signIn.SignInWithClaimsAsync(user, isPersistent: false, [new Claim(Actors.AuthMethodClaim, Actors.Mfa)]);
            var role = (await scopedUsers.GetRolesAsync(user)).FirstOrDefault() ?? "None";
            var actor = new AuditActor(user.Email!, role, http.HttpContext?.Connection.RemoteIpAddress?.ToString());
            return (codes, new AuditEntry(actor, "operator.2fa.enrolled", $"operator:{user.Email}"));
        }, ct);

    private static string Group(string key) =>
        string.Join(' ', Enumerable.Range(0, (key.Length + 3) / 4).Select(i => key.Substring(i * 4, Math.Min(4, key.Length - i * 4)))).ToLowerInvariant();
}
