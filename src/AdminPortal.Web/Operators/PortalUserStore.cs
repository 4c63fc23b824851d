using System.Security.Cryptography;
using System.Text;
using AdminPortal.Data;
using AdminPortal.Data.Operators;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;

namespace AdminPortal.Web.Operators;

/// <summary>
/// Identity's EF store with the second factor kept safe at rest: the TOTP secret is encrypted under the
/// master key (bound to the operator's id) and recovery codes only as HMACs keyed from the master key.
/// </summary>
public sealed class PortalUserStore(PortalDbContext context, SecretProtector secrets, IdentityErrorDescriber? describer = null)
    : UserStore<Operator, IdentityRole, PortalDbContext>(context, describer)
{
    public override async Task SetAuthenticatorKeyAsync(Operator user, string key, CancellationToken cancellationToken)
        => await base.SetAuthenticatorKeyAsync(user, secrets.ProtectString(key, Purpose(user)), cancellationToken);

    public override async Task<string?> GetAuthenticatorKeyAsync(Operator user, CancellationToken cancellationToken)
    {
        var stored = await base.GetAuthenticatorKeyAsync(user, cancellationToken);
        return stored is null ? null : secrets.UnprotectString(stored, Purpose(user));
    }

    public override Task ReplaceCodesAsync(Operator user, IEnumerable<string> recoveryCodes, CancellationToken cancellationToken)
        => base.ReplaceCodesAsync(user, recoveryCodes.Select(c => MacCode(secrets.DeriveKey(RecoveryCodePurpose), user, c)), cancellationToken);

    /// <summary>Tries the MAC under the current master key, then previous keys, then the unsalted hash stored before.</summary>
    public override async Task<bool> RedeemCodeAsync(Operator user, string code, CancellationToken cancellationToken)
    {
        foreach (var candidate in secrets.DeriveKeys(RecoveryCodePurpose).Select(k => MacCode(k, user, code)).Append(LegacyHash(code)))
            if (await base.RedeemCodeAsync(user, candidate, cancellationToken)) return true;
        return false;
    }

    public const string RecoveryCodePurpose = "recovery-codes";

    private static string Purpose(Operator user) => $"totp:{user.Id}";

    private static string Normalize(string code) => code.Replace(" ", "").Replace("-", "").ToUpperInvariant();

    /// <summary>
    /// HMAC-SHA256 keyed from the master key over "userId:code": a database dump alone does not allow trying the
    /// (about 2^47) possible codes, and equal codes of two operators do not look equal.
    /// </summary>
    public static string MacCode(byte[] key, Operator user, string code) =>
        "h1:" + Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{user.Id}:{Normalize(code)}")));

    private static string LegacyHash(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Normalize(code))));
}
