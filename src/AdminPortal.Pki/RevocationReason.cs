namespace AdminPortal.Pki;

/// <summary>RFC 5280 CRLReason codes (7 is unused; removeFromCRL only makes sense in delta CRLs).</summary>
public enum RevocationReason
{
    Unspecified = 0,
    KeyCompromise = 1,
    CaCompromise = 2,
    AffiliationChanged = 3,
    Superseded = 4,
    CessationOfOperation = 5,
    CertificateHold = 6,
    PrivilegeWithdrawn = 9,
    AaCompromise = 10,
}

public static class RevocationReasons
{
    private static readonly Dictionary<string, RevocationReason> ByName = Enum.GetValues<RevocationReason>()
        .ToDictionary(r => r.ToString(), r => r, StringComparer.OrdinalIgnoreCase);

    /// <summary>Parses "keyCompromise", "KeyCompromise" or "key-compromise".</summary>
    public static bool TryParse(string? text, out RevocationReason reason)
    {
        reason = RevocationReason.Unspecified;
        return text is not null && ByName.TryGetValue(text.Replace("-", "").Replace("_", "").Trim(), out reason);
    }

    /// <summary>The RFC 5280 spelling (camelCase), as OpenSSL prints it in lower-case words.</summary>
    public static string Name(this RevocationReason r) => char.ToLowerInvariant(r.ToString()[0]) + r.ToString()[1..];

    public static IEnumerable<string> Names => Enum.GetValues<RevocationReason>().Select(Name);
}
