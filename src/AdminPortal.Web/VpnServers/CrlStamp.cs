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
    /// The record file's text for a crl.pem with these numbers and the SHA-256 <paramref name="crlSha256"/>: "ISSUER NUMBER" per CRL
    /// (hex digits and numbers only), then the "sha256 HEX" seal that ties it to that crl.pem.
    /// </summary>
    public static string Record(CrlStamp? stamp, string crlSha256) =>
        string.Concat((stamp?.Crls ?? []).Select(c => $"{c.Issuer} {c.Number.ToString(CultureInfo.InvariantCulture)}\n")) + $"sha256 {crlSha256}\n";
}
