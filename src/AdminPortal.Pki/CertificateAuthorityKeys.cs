using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace AdminPortal.Pki;

/// <summary>
/// A CA's certificate with its private key, in memory only while signing (and in the portal's per-CA cache).
/// What every signature needs from them (the platform signer, the authority key identifier) is made once, on
/// first use, so a long-lived instance signs at the platform's speed. A class, not a record: a copy made with
/// <c>with</c> would carry the other key's signer.
/// </summary>
public sealed class CertificateAuthorityKeys(X509Certificate certificate, AsymmetricKeyParameter privateKey)
{
    private static readonly SecureRandom Random = new();
    private ISignatureFactory? _signer;
    private AuthorityKeyIdentifier? _authorityKeyIdentifier;

    public X509Certificate Certificate { get; } = certificate;

    public AsymmetricKeyParameter PrivateKey { get; } = privateKey;

    public KeyAlgorithm Algorithm => KeyPairs.AlgorithmOf(Certificate.GetPublicKey());

    public string SignatureAlgorithm => CertificateBuilder.SignatureFor(Algorithm);

    /// <summary>Signs certificates and CRLs with this CA's key (the platform's OpenSSL for ECDSA and RSA).</summary>
    public ISignatureFactory Signer => LazyInitializer.EnsureInitialized(ref _signer, () => PlatformSigner.For(PrivateKey, SignatureAlgorithm, Random));

    public AuthorityKeyIdentifier AuthorityKeyIdentifier =>
        LazyInitializer.EnsureInitialized(ref _authorityKeyIdentifier, () => X509ExtensionUtilities.CreateAuthorityKeyIdentifier(Certificate));
}
