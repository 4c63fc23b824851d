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
/// SKI) and leaves with basicConstraints CA:FALSE (critical), keyUsage digitalSignature (+keyEncipherment
/// for RSA) critical, exactly one of clientAuth/serverAuth, SKI and AKI.
/// </summary>
public static class CertificateBuilder
{
    private static readonly SecureRandom Random = new();

    /// <summary>Clock skew allowance: certificates are valid from a few minutes before they are made.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    public static X509Certificate CreateRootCa(string commonName, AsymmetricCipherKeyPair keys, DateTimeOffset now, TimeSpan validity, BigInteger serial)
    {
        var name = Name(commonName);
        var g = new X509V3CertificateGenerator();
        g.SetSerialNumber(serial);
        g.SetIssuerDN(name);
        g.SetSubjectDN(name);
        g.SetNotBefore((now - Backdate).UtcDateTime);
        g.SetNotAfter((now + validity).UtcDateTime);
        g.SetPublicKey(keys.Public);
        g.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(true));
        g.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
        g.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(keys.Public));
        return g.Generate(new Asn1SignatureFactory(SignatureFor(KeyPairs.AlgorithmOf(keys.Public)), keys.Private, Random));
    }

    public static X509Certificate Issue(
        CertificateAuthorityKeys ca, CertificateKind kind, string commonName, AsymmetricKeyParameter publicKey,
        DateTimeOffset now, TimeSpan validity, BigInteger serial)
    {
        var notAfter = now + validity;
        var caNotAfter = new DateTimeOffset(ca.Certificate.NotAfter, TimeSpan.Zero);
        if (notAfter > caNotAfter) notAfter = caNotAfter; // never outlive the CA
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

    public static X509Name Name(string commonName) => new([X509Name.CN], [commonName]);

    public static string SignatureFor(KeyAlgorithm a) => a switch
    {
        KeyAlgorithm.EcdsaP256 => "SHA256WITHECDSA",
        KeyAlgorithm.EcdsaP384 => "SHA384WITHECDSA",
        KeyAlgorithm.Ed25519 => "Ed25519",
        _ => "SHA256WITHRSA",
    };
}
