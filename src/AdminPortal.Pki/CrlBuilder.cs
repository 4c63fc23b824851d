using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace AdminPortal.Pki;

public sealed record RevokedEntry(BigInteger Serial, DateTimeOffset RevokedAt, RevocationReason Reason);

/// <summary>
/// A v2 CRL as OpenVPN needs it (OPENVPN.md): authorityKeyIdentifier, cRLNumber, a reasonCode on every
/// entry, thisUpdate/nextUpdate, and NO Issuing Distribution Point (which makes OpenSSL reject everyone).
/// </summary>
public static class CrlBuilder
{
    private static readonly SecureRandom Random = new();

    public static X509Crl Build(CertificateAuthorityKeys ca, BigInteger number, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate, IEnumerable<RevokedEntry> entries)
    {
        var g = new X509V2CrlGenerator();
        g.SetIssuerDN(ca.Certificate.SubjectDN);
        g.SetThisUpdate(thisUpdate.UtcDateTime);
        g.SetNextUpdate(nextUpdate.UtcDateTime);
        foreach (var e in entries)
            g.AddCrlEntry(e.Serial, e.RevokedAt.UtcDateTime, (int)e.Reason);
        g.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, X509ExtensionUtilities.CreateAuthorityKeyIdentifier(ca.Certificate));
        g.AddExtension(X509Extensions.CrlNumber, false, new CrlNumber(number));
        return g.Generate(new Asn1SignatureFactory(ca.SignatureAlgorithm, ca.PrivateKey, Random));
    }

    public static BigInteger? NumberOf(X509Crl crl) =>
        crl.GetExtensionValue(X509Extensions.CrlNumber) is { } v
            ? DerInteger.GetInstance(Asn1Object.FromByteArray(v.GetOctets())).Value
            : null;
}
