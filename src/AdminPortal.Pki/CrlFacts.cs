using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace AdminPortal.Pki;

/// <summary>What identifies one CRL for freshness checks: its issuer (DER of the name), cRLNumber and nextUpdate.</summary>
public sealed record CrlFacts(byte[] IssuerDer, string Issuer, long Number, DateTimeOffset ThisUpdate, DateTimeOffset? NextUpdate)
{
    /// <summary>
    /// Every CRL in a crl-verify file (one or several concatenated PEM CRLs), in file order. A file without a CRL,
    /// or with a block that does not parse or lacks a cRLNumber, is a <see cref="FormatException"/>: OpenVPN
    /// would not load it either ("CRL not loaded").
    /// </summary>
    public static IReadOnlyList<CrlFacts> ReadPem(string pem)
    {
        IReadOnlyList<byte[]> blocks;
        try
        {
            blocks = Pem.ReadAll(pem, "X509 CRL");
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException)
        {
            throw new FormatException($"not PEM: {e.Message}", e);
        }
        if (blocks.Count == 0) throw new FormatException("no CRL in the file");
        return [.. blocks.Select(Read)];
    }

    public static CrlFacts Read(byte[] der)
    {
        X509Crl crl;
        try
        {
            crl = new X509Crl(CertificateList.GetInstance(Asn1Object.FromByteArray(der)));
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidCastException or InvalidOperationException)
        {
            throw new FormatException($"a CRL that does not parse: {e.Message}", e);
        }
        var number = crl.GetExtensionValue(X509Extensions.CrlNumber) is { } ext
            ? DerInteger.GetInstance(X509ExtensionUtilities.FromExtensionValue(ext)).Value
            : throw new FormatException($"the CRL of {crl.IssuerDN} has no cRLNumber");
        return new CrlFacts(crl.IssuerDN.GetDerEncoded(), crl.IssuerDN.ToString(), number.LongValueExact,
            new DateTimeOffset(crl.ThisUpdate, TimeSpan.Zero),
            crl.NextUpdate is { } next ? new DateTimeOffset(next, TimeSpan.Zero) : null);
    }
}
