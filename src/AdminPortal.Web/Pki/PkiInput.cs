using System.Text.RegularExpressions;
using AdminPortal.Pki;
using AdminPortal.Web.Errors;

namespace AdminPortal.Web.Pki;

/// <summary>Validation of PKI input; each failure names its field.</summary>
public static partial class PkiInput
{
    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._@-]{0,63}\z", InputText.Linear)]
    private static partial Regex UserName();

    public static PortalError? Name(string? name, string field = "name") => name is not null && UserName().IsMatch(name)
        ? null
        : new InvalidInput(field, "A name is 1-64 characters: letters, digits, '.', '_', '@' or '-', starting with a letter or digit.");

    /// <summary>The most a CA's name may hold: X.520's upper bound for a common name.</summary>
    public const int MaxCaNameLength = 64;

    /// <summary>
    /// A CA's name is its subject's common name, not a shell word: printable (letters, digits, punctuation, symbols, spaces
    /// between words), no control or invisible format character, at most 64. It reaches no shell and no file name; where it
    /// is written (the certificate, the audit trail, JSON) it is encoded by that writer.
    /// </summary>
    public static PortalError? CaName(string? name, string field = "name") =>
        name is { Length: > 0 and <= MaxCaNameLength } && InputText.IsPrintable(name)
            ? null
            : new InvalidInput(field, $"A CA's name is its common name: 1-{MaxCaNameLength} printable characters (letters, digits, punctuation, symbols and spaces), "
                + "without control characters and without a space at either end.");

    public static PortalError? Days(int? days, int max, string field = "validDays") =>
        days is null || (days >= 1 && days <= max) ? null : new InvalidInput(field, $"{field} must be between 1 and {max}.");

    public static Result<KeyAlgorithm> Algorithm(string? name, KeyAlgorithm fallback, string field = "keyAlgorithm") =>
        name is null ? fallback
        : KeyAlgorithms.TryParse(name, out var a) ? a
        : new InvalidInput(field, "keyAlgorithm must be one of ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072, rsa-4096, ed25519.");

    public static Result<RevocationReason> Reason(string? name) =>
        name is null ? RevocationReason.Unspecified
        : RevocationReasons.TryParse(name, out var r) ? r
        : new InvalidInput("reason", $"Unknown reason '{InputText.Printable(name)}'. Reasons: {string.Join(", ", RevocationReasons.Names)}.");

}
