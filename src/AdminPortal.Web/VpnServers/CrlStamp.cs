using System.Globalization;
using System.Security.Cryptography;
using AdminPortal.Pki;

namespace AdminPortal.Web.VpnServers;

/// <summary>
/// The cRLNumber of each CRL in a crl-verify file, keyed by its issuer (the first 16 hex digits of the SHA-256 of the issuer
/// name's DER), as the host records it next to crl.pem (<see cref="PublishScripts.CrlNumberFile"/>) so that no writer of crl.pem
/// installs an older CRL than the one there.
/// </summary>
public sealed record CrlStamp(IReadOnlyList<(string Issuer, long Number)> Crls)
{
    public static CrlStamp Of(IEnumerable<CrlFacts> crls) =>
        new([.. crls.Select(c => (Convert.ToHexStringLower(SHA256.HashData(c.IssuerDer))[..16], c.Number))]);

    /// <summary>Null for a file that holds no usable CRL (then the host keeps a CRL it knows the number of).</summary>
    public static CrlStamp? OfPem(string pem)
    {
        try
        {
            return Of(CrlFacts.ReadPem(pem));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The cRLNumbers in file order (<c>12</c>, or <c>12,4</c> for a two-tier CA).</summary>
    public string Numbers => string.Join(',', Crls.Select(c => c.Number.ToString(CultureInfo.InvariantCulture)));

    /// <summary>
    /// A shell command writing the record ("ISSUER NUMBER" per line) to the file named by the shell variable
    /// <paramref name="variable"/>: hex digits and numbers only, formatted here.
    /// </summary>
    public static string WriteRecord(CrlStamp? stamp, string variable) => stamp is null || stamp.Crls.Count == 0
        ? $": > \"${variable}\""
        : $"printf '%s %s\\n' {string.Join(' ', stamp.Crls.Select(c => $"{c.Issuer} {c.Number.ToString(CultureInfo.InvariantCulture)}"))} > \"${variable}\"";
}
