using System.Formats.Asn1;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.X509;

namespace AdminPortal.Pki;

public sealed record RevokedEntry(BigInteger Serial, DateTimeOffset RevokedAt, RevocationReason Reason);

/// <summary>
/// A v2 CRL as OpenVPN needs it (OPENVPN.md): authorityKeyIdentifier, cRLNumber, a reasonCode on every
/// entry (none for unspecified, as RFC 5280 asks), thisUpdate/nextUpdate, and NO Issuing Distribution Point
/// (which makes OpenSSL reject everyone). The DER is written directly with System.Formats.Asn1 and signed with
/// the CA's platform signer (OpenSSL's SHA-256 and ECDSA/RSA; BouncyCastle for Ed25519): BouncyCastle's X509V2CrlGenerator took seconds for 100,000 entries and .NET's
/// CertificateRevocationListBuilder longer, and refuses aACompromise (tests/AdminPortal.Benchmarks/RESULTS-PKI.md).
/// </summary>
public static class CrlBuilder
{
    public static X509Crl Build(CertificateAuthorityKeys ca, BigInteger number, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate, IEnumerable<RevokedEntry> entries)
    {
        var signer = ca.Signer;
        var algorithm = ((AlgorithmIdentifier)signer.AlgorithmDetails).GetDerEncoded();

        var list = entries as IReadOnlyCollection<RevokedEntry> ?? entries.ToList();
        var tbsDer = Tbs(ca, algorithm, number, thisUpdate, nextUpdate, list.Count == 0 ? null : RevokedList.Encode(list, r => ReasonExtensions[(int)r]));
        var signature = PlatformSigner.Sign(signer, tbsDer);
        var der = Signed(tbsDer, algorithm, signature);
        // The X509Crl object is made from the same CRL without its entries (parsing 100,000 entries back would cost
        // more than building them); whatever needs the entries parses the full DER then (EncodedCrl).
        var header = Signed(Tbs(ca, algorithm, number, thisUpdate, nextUpdate, null), algorithm, signature);
        return new EncodedCrl(CertificateList.GetInstance(Asn1Object.FromByteArray(header)), der);
    }

    private static byte[] Tbs(CertificateAuthorityKeys ca, byte[] algorithm, BigInteger number, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate, byte[]? revoked)
    {
        // AsnWriter grows its buffer by 1 KiB at a time: without room up front, 100,000 entries (~5 MB) cost
        // quadratic copying (that is what makes .NET's own CertificateRevocationListBuilder slow at this size).
        // The entries themselves are written by RevokedList, byte by byte.
        var tbs = new AsnWriter(AsnEncodingRules.DER, initialCapacity: 1024 + (revoked?.Length ?? 0));
        using (tbs.PushSequence())
        {
            tbs.WriteInteger(1); // v2
            tbs.WriteEncodedValue(algorithm);
            tbs.WriteEncodedValue(ca.Certificate.SubjectDN.GetDerEncoded());
            WriteTime(tbs, thisUpdate);
            WriteTime(tbs, nextUpdate);
            if (revoked is not null) tbs.WriteEncodedValue(revoked);
            using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
            using (tbs.PushSequence())
            {
                WriteExtension(tbs, X509Extensions.AuthorityKeyIdentifier, ca.AuthorityKeyIdentifier.GetDerEncoded());
                WriteExtension(tbs, X509Extensions.CrlNumber, new CrlNumber(number).GetDerEncoded());
            }
        }
        return tbs.Encode();
    }

    private static byte[] Signed(byte[] tbs, byte[] algorithm, byte[] signature)
    {
        var crl = new AsnWriter(AsnEncodingRules.DER, initialCapacity: tbs.Length + 256);
        using (crl.PushSequence())
        {
            crl.WriteEncodedValue(tbs);
            crl.WriteEncodedValue(algorithm);
            crl.WriteBitString(signature);
        }
        return crl.Encode();
    }

    public static BigInteger? NumberOf(X509Crl crl) =>
        crl.GetExtensionValue(X509Extensions.CrlNumber) is { } v
            ? DerInteger.GetInstance(Asn1Object.FromByteArray(v.GetOctets())).Value
            : null;

    /// <summary>The crlEntryExtensions holding one reasonCode, encoded once per reason code (0-10).</summary>
    private static readonly byte[][] ReasonExtensions = Enumerable.Range(0, 11).Select(code =>
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence()) WriteExtension(w, X509Extensions.ReasonCode, new CrlReason(code).GetDerEncoded());
        return w.Encode();
    }).ToArray();

    private static void WriteExtension(AsnWriter w, DerObjectIdentifier oid, byte[] value)
    {
        using (w.PushSequence())
        {
            w.WriteObjectIdentifier(oid.Id);
            w.WriteOctetString(value); // not critical: DEFAULT FALSE is omitted in DER
        }
    }

    /// <summary>RFC 5280 5.1.2.4: UTCTime through 2049, GeneralizedTime from 2050, whole seconds, UTC.</summary>
    private static void WriteTime(AsnWriter w, DateTimeOffset t)
    {
        var utc = t.ToUniversalTime();
        if (utc.Year < 2050) w.WriteUtcTime(utc);
        else w.WriteGeneralizedTime(utc, omitFractionalSeconds: true);
    }
}
