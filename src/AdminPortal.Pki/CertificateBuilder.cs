using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace AdminPortal.Pki;

/// <summary>
/// Builds the certificates OpenVPN accepts (OPENVPN.md): a root CA (CA:TRUE critical, keyCertSign+cRLSign,
/// SKI), an optional issuing intermediate (the same, pathLen 0, plus AKI) and leaves with basicConstraints CA:FALSE (critical), keyUsage digitalSignature (+keyEncipherment
/// for RSA) critical, exactly one of clientAuth/serverAuth, SKI and AKI.
/// </summary>
public static class CertificateBuilder
{
    private static readonly SecureRandom Random = new();

    /// <summary>Clock skew allowance: certificates are valid from a few minutes before they are made.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    public static X509Certificate CreateRootCa(string commonName, AsymmetricCipherKeyPair keys, DateTimeOffset now, TimeSpan validity, BigInteger serial)
    {
        var g = CaGenerator(Name(commonName), Name(commonName), keys.Public, now, now + validity, serial, new BasicConstraints(true));
        return g.Generate(new Asn1SignatureFactory(SignatureFor(KeyPairs.AlgorithmOf(keys.Public)), keys.Private, Random));
    }

    /// <summary>
    /// An issuing intermediate under <paramref name="root"/>: CA:TRUE with pathLen 0 (it signs leaves only), keyCertSign
    /// + cRLSign, SKI and the root's AKI; it never outlives the root. OpenSSL's -x509_strict accepts the chain.
    /// </summary>
    public static X509Certificate CreateIntermediateCa(
        CertificateAuthorityKeys root, string commonName, AsymmetricCipherKeyPair keys, DateTimeOffset now, TimeSpan validity, BigInteger serial)
    {
        var g = CaGenerator(root.Certificate.SubjectDN, Name(commonName), keys.Public, now, Min(now + validity, root.Certificate.NotAfter), serial,
            new BasicConstraints(0));
        g.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, X509ExtensionUtilities.CreateAuthorityKeyIdentifier(root.Certificate));
        return g.Generate(new Asn1SignatureFactory(root.SignatureAlgorithm, root.PrivateKey, Random));
    }

    private static X509V3CertificateGenerator CaGenerator(
        X509Name issuer, X509Name subject, AsymmetricKeyParameter publicKey, DateTimeOffset now, DateTimeOffset notAfter, BigInteger serial, BasicConstraints constraints)
    {
        var g = new X509V3CertificateGenerator();
        g.SetSerialNumber(serial);
        g.SetIssuerDN(issuer);
        g.SetSubjectDN(subject);
        g.SetNotBefore((now - Backdate).UtcDateTime);
        g.SetNotAfter(notAfter.UtcDateTime);
        g.SetPublicKey(publicKey);
        g.AddExtension(X509Extensions.BasicConstraints, true, constraints);
        g.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
        g.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(publicKey));
        return g;
    }

    public static X509Certificate Issue(
        CertificateAuthorityKeys ca, CertificateKind kind, string commonName, AsymmetricKeyParameter publicKey,
        DateTimeOffset now, TimeSpan validity, BigInteger serial)
    {
        var notAfter = Min(now + validity, ca.Certificate.NotAfter); // never outlive the CA
        var g = new X509V3CertificateGenerator();
        g.SetSerialNumber(serial);
        g.SetIssuerDN(ca.Certificate.SubjectDN);
        g.SetSubjectDN(Name(commonName));
        g.SetNotBefore((now - Backdate).UtcDateTime);
        g.SetNotAfter(notAfter.UtcDateTime);
        g.SetPublicKey(publicKey);
        g.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
        var usage = KeyUsage.DigitalSignature | (KeyPairs.AlgorithmOf(publicKey).IsRsa() ? KeyUsage.KeyEncipherment : 0);
        g.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(usage));
        g.AddExtension(X509Extensions.ExtendedKeyUsage, false,
            new ExtendedKeyUsage(kind == CertificateKind.Client ? KeyPurposeID.id_kp_clientAuth : KeyPurposeID.id_kp_serverAuth));
        g.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(publicKey));
        g.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, ca.AuthorityKeyIdentifier);
        return g.Generate(ca.Signer);
    }

    private static DateTimeOffset Min(DateTimeOffset wanted, DateTime caNotAfter) =>
        wanted > new DateTimeOffset(caNotAfter, TimeSpan.Zero) ? new DateTimeOffset(caNotAfter, TimeSpan.Zero) : wanted;

    /// <summary>
    /// A name of one CN, exactly as given. BouncyCastle's converter reads a value starting with '#' as hex-encoded DER and
    /// drops a leading '\'; one '\' in front makes it take either literally (a CA may be called "#1 Root").
    /// </summary>
    public static X509Name Name(string commonName) =>
        new([X509Name.CN], [commonName.StartsWith('#') || commonName.StartsWith('\\') ? "\\" + commonName : commonName]);

    public static string SignatureFor(KeyAlgorithm a) => a switch
    {
        KeyAlgorithm.EcdsaP256 => "SHA256WITHECDSA",
        KeyAlgorithm.EcdsaP384 => "SHA384WITHECDSA",
        KeyAlgorithm.Ed25519 => "Ed25519",
        _ => "SHA256WITHRSA",
    };
}
