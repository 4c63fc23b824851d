using AdminPortal.Data.Audit;
using AdminPortal.Data.Operators;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Operators;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Account;

public enum LoginOutcome { Failed, LockedOut, NeedsSecondFactor, NeedsEnrolment, SignedIn, Throttled }

/// <summary>
/// The sign-in steps, each audited in the same transaction as Identity's own bookkeeping (failed-attempt
/// counts, lockout, redeemed recovery codes). Runs within the HTTP request that sets the cookie.
/// </summary>
public sealed class LoginService(AuditedWork work, IHttpContextAccessor http, LoginThrottle throttle)
{
    /// <summary>The password step; refused without a look at the account once the client address has failed too often.</summary>
    public async Task<LoginOutcome> PasswordAsync(string email, string password, CancellationToken ct)
    {
        var address = http.HttpContext?.Connection.RemoteIpAddress?.ToString();
        if (throttle.IsLimited(address)) return LoginOutcome.Throttled;
        var outcome = await CheckPasswordAsync(email, password, ct);
        if (outcome is LoginOutcome.Failed or LoginOutcome.LockedOut && throttle.Failed(address))
            await work.RecordAsync(new AuditEntry(new AuditActor("anonymous", "None", address), "operator.login.throttled",
                $"address:{address ?? "unknown"}", new { reason = "too many failed sign-ins from this address" }, AuditOutcome.Failure), ct);
        return outcome;
    }

    private Task<LoginOutcome> CheckPasswordAsync(string email, string password, CancellationToken ct) =>
        work.RunAsync<LoginOutcome>(async (sp, db, c) =>
        {
            // No account has such an address, and PostgreSQL would refuse it as a parameter (NUL).
            if (OperatorInput.HasControl(email)) return (LoginOutcome.Failed, Entry(email, "None", "operator.login.failed", AuditOutcome.Failure));
            var signIn = sp.GetRequiredService<SignInManager<Operator>>();
            signIn.Context = http.HttpContext!;
            // Parallel attempts queue on the account's row, so each loads the count the previous one wrote and
            // every failure counts (otherwise concurrency-stamp conflicts drop them and lockout never comes).
            var normalized = signIn.UserManager.NormalizeName(email);
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"AspNetUsers\" WHERE \"NormalizedUserName\" = {normalized} FOR UPDATE", c);
            var result = await signIn.PasswordSignInAsync(email, password, isPersistent: false, lockoutOnFailure: true);
            var outcome = result switch
            {
                { Succeeded: true } => LoginOutcome.NeedsEnrolment, // no second factor yet: only enrolment is open
                { RequiresTwoFactor: true } => LoginOutcome.NeedsSecondFactor,
                { IsLockedOut: true } => LoginOutcome.LockedOut,
                _ => LoginOutcome.Failed,
            };
            var action = outcome switch
            {
                LoginOutcome.Failed => "operator.login.failed",
                LoginOutcome.LockedOut => "operator.login.locked_out",
                _ => "operator.login.password_accepted",
            };
            var user = await signIn.UserManager.FindByNameAsync(email);
            // The account's own address, not the typed variant (case, spacing), so events about one operator match.
            return (outcome, Entry(user?.Email ?? email, await RoleOfAsync(sp, user), action, outcome is LoginOutcome.Failed or LoginOutcome.LockedOut ? AuditOutcome.Failure : AuditOutcome.Success));
        }, ct);

    public Task<LoginOutcome> SecondFactorAsync(string code, bool recovery, CancellationToken ct) =>
        work.RunAsync<LoginOutcome>(async (sp, db, c) =>
        {
            var signIn = sp.GetRequiredService<SignInManager<Operator>>();
            signIn.Context = http.HttpContext!;
            var user = await signIn.GetTwoFactorAuthenticationUserAsync();
            if (user is null) return (LoginOutcome.Failed, null);
            // As for the password: attempts queue on the row, and the count is re-read once it is ours.
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"AspNetUsers\" WHERE \"Id\" = {user.Id} FOR UPDATE", c);
            await db.Entry(user).ReloadAsync(c);
            var clean = code.Replace(" ", "").Replace("-", "");
            var result = recovery
                ? await signIn.TwoFactorRecoveryCodeSignInAsync(clean)
                : await signIn.TwoFactorAuthenticatorSignInAsync(clean, isPersistent: false, rememberClient: false);
            var outcome = result.Succeeded ? LoginOutcome.SignedIn : result.IsLockedOut ? LoginOutcome.LockedOut : LoginOutcome.Failed;
            var action = outcome switch
            {
                LoginOutcome.SignedIn => recovery ? "operator.login.succeeded_with_recovery_code" : "operator.login.succeeded",
                LoginOutcome.LockedOut => "operator.login.locked_out",
                _ => "operator.login.second_factor_failed",
            };
            return (outcome, Entry(user.Email!, await RoleOfAsync(sp, user), action, outcome == LoginOutcome.SignedIn ? AuditOutcome.Success : AuditOutcome.Failure));
        }, ct);

    private static async Task<string> RoleOfAsync(IServiceProvider sp, Operator? user) =>
        user is null ? "None" : (await sp.GetRequiredService<UserManager<Operator>>().GetRolesAsync(user)).FirstOrDefault() ?? "None";

    private AuditEntry Entry(string email, string role, string action, string outcome)
    {
        var address = http.HttpContext?.Connection.RemoteIpAddress?.ToString();
        var name = OperatorInput.Email(email) is null ? email : "(invalid email)";
        return new AuditEntry(new AuditActor(name, role, address), action, $"operator:{name}", null, outcome);
    }
}
