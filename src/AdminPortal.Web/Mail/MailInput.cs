using System.Text.RegularExpressions;
using AdminPortal.Data.Mail;
using AdminPortal.Web.Errors;

namespace AdminPortal.Web.Mail;

/// <summary>Checks of mail fields; each returns the error to show (naming the field), or null. Nothing unchecked reaches a host.</summary>
public static partial class MailInput
{
    public const int MinPasswordLength = 12;

    public static InvalidInput? Address(string? value) =>
        value is not null && value.Length <= 254 && AddressRx().IsMatch(value) ? null
            : new InvalidInput("address", "address must be local@domain: letters, digits, '.', '_', '+' or '-' before the @, and a domain name with a dot after it.");

    public static InvalidInput? DisplayName(string? value) =>
        value is null || value.Length <= 100 && DisplayNameRx().IsMatch(value) ? null
            : new InvalidInput("displayName", "displayName may hold letters, digits, spaces and . , ' - (at most 100).");

    /// <summary>The password policy: at least 12 characters, printable, not the address (nor its local part).</summary>
    public static InvalidInput? Password(string? value, string address)
    {
        if (value is null) return null;
        if (value.Length < MinPasswordLength || value.Length > 128)
            return new InvalidInput("password", $"password must be {MinPasswordLength} to 128 characters long.");
        if (value.Any(c => char.IsControl(c) || char.IsSurrogate(c)) || value.Trim().Length != value.Length)
            return new InvalidInput("password", "password must be printable characters, without leading or trailing spaces.");
        var local = address.Split('@')[0];
        if (value.Equals(address, StringComparison.OrdinalIgnoreCase) || value.Equals(local, StringComparison.OrdinalIgnoreCase))
            return new InvalidInput("password", "password must not be the address.");
        return null;
    }

    public static InvalidInput? QuotaMb(int? value) =>
        value is null or (>= 1 and <= 16 * 1024 * 1024) ? null : new InvalidInput("quotaMb", "quotaMb must be between 1 and 16777216 (MiB).");

    public static InvalidInput? Backend(string? value) =>
        value is MailBackends.DovecotPasswdFile or MailBackends.Archiveopteryx ? null
            : new InvalidInput("backend", $"backend must be '{MailBackends.DovecotPasswdFile}' or '{MailBackends.Archiveopteryx}'.");

    public static InvalidInput? Path(string field, string? value, bool allowTemplate = false) =>
        value is not null && value.Length <= 255 && (allowTemplate ? TemplateRx() : PathRx()).IsMatch(value) && !value.Contains("/../") && !value.EndsWith("/..")
            ? null
            : new InvalidInput(field, $"{field} must be an absolute path of letters, digits, '.', '_', '-' and '/'{(allowTemplate ? " (with %d, %n, %u)" : "")}.");

    public static InvalidInput? Scheme(string? value) =>
        value is null or "SHA512-CRYPT" ? null : new InvalidInput("scheme", "scheme must be SHA512-CRYPT (the portal hashes passwords itself).");

    public static InvalidInput? QuotaRule(string? value) =>
        value is null || QuotaRuleRx().IsMatch(value) ? null
            : new InvalidInput("quotaRule", "quotaRule must be a Dovecot quota rule such as *:storage=1G.");

    public static InvalidInput? Id(string field, int? value) =>
        value is null or (>= 1 and <= 4_000_000) ? null : new InvalidInput(field, $"{field} must be between 1 and 4000000.");

    public static InvalidInput? AoxPath(string? value) =>
        value is null or "aox" ? null : Path("aoxPath", value);

    public static string Normal(string address) => address.ToLowerInvariant();

    [GeneratedRegex(@"\A[A-Za-z0-9](?:[A-Za-z0-9._+-]{0,63})@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\z", InputText.Linear)]
    private static partial Regex AddressRx();

    [GeneratedRegex(@"\A[\p{L}\p{M}\p{N} .,'-]{1,100}\z", InputText.Linear)]
    private static partial Regex DisplayNameRx();

    [GeneratedRegex(@"\A/[A-Za-z0-9._/-]{1,254}\z", InputText.Linear)]
    private static partial Regex PathRx();

    [GeneratedRegex(@"\A/(?:[A-Za-z0-9._/-]|%[dnu]){1,254}\z", InputText.Linear)]
    private static partial Regex TemplateRx();

    [GeneratedRegex(@"\A\*:(?:storage|messages)=[0-9]{1,12}[kKMGT%]?\z", InputText.Linear)]
    private static partial Regex QuotaRuleRx();
}
