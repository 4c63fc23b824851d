using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;

namespace AdminPortal.Pki;

/// <summary>A CA's certificate with its private key, in memory only while signing.</summary>
public sealed record CertificateAuthorityKeys(X509Certificate Certificate, AsymmetricKeyParameter PrivateKey)
{
    public KeyAlgorithm Algorithm => KeyPairs.AlgorithmOf(Certificate.GetPublicKey());

    public string SignatureAlgorithm => CertificateBuilder.SignatureFor(Algorithm);
}
