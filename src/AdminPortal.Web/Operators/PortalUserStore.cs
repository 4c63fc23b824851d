using System.Security.Cryptography;
using System.Text;
using AdminPortal.Data;
using AdminPortal.Data.Operators;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;

namespace AdminPortal.Web.Operators;

/// <summary>
/// Identity's EF store with the second factor kept safe at rest: the TOTP secret is encrypted under the
/// master key (bound to the operator's id) and recovery codes are stored only as SHA-256 hashes.
/// </summary>
public sealed class PortalUserStore(PortalDbContext context, SecretProtector secrets, IdentityErrorDescriber? describer = null)
    : UserStore<Operator, IdentityRole, PortalDbContext>(context, describer)
{
    public override async Task SetAuthenticatorKeyAsync(Operator user, string key, CancellationToken ct)
        => await base.SetAuthenticatorKeyAsync(user, secrets.ProtectString(key, Purpose(user)), ct);

    public override async Task<string?> GetAuthenticatorKeyAsync(Operator user, CancellationToken ct)
    {
        var stored = await base.GetAuthenticatorKeyAsync(user, ct);
        return stored is null ? null : secrets.UnprotectString(stored, Purpose(user));
    }

    public override Task ReplaceCodesAsync(Operator user, IEnumerable<string> recoveryCodes, CancellationToken ct)
        => base.ReplaceCodesAsync(user, recoveryCodes.Select(HashCode), ct);

    public override Task<bool> RedeemCodeAsync(Operator user, string code, CancellationToken ct)
        => base.RedeemCodeAsync(user, HashCode(code), ct);

    private static string Purpose(Operator user) => $"totp:{user.Id}";

    private static string HashCode(string code) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code.Replace(" ", "").Replace("-", "").ToUpperInvariant())));
}
