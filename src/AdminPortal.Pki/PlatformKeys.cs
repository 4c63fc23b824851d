using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;

namespace AdminPortal.Pki;

/// <summary>
/// ECDSA keys made by the platform's OpenSSL (.NET's ECDsa on Linux) and handed to the rest of the engine as
/// BouncyCastle parameters: OpenSSL's P-256/P-384 key generation is several times faster than BouncyCastle's
/// (tests/AdminPortal.Benchmarks/RESULTS-PKI.md). The PKCS#8 that OpenSSL writes along with the key is kept
/// with it, because BouncyCastle's PKCS#8 export recomputes the public point and costs as much as a new key.
/// </summary>
internal static class PlatformKeys
{
    private static readonly ECNamedDomainParameters P256 = ECNamedDomainParameters.LookupOid(SecObjectIdentifiers.SecP256r1);
    private static readonly ECNamedDomainParameters P384 = ECNamedDomainParameters.LookupOid(SecObjectIdentifiers.SecP384r1);

    public static AsymmetricCipherKeyPair GenerateEc(KeyAlgorithm algorithm)
    {
        var (curve, domain) = algorithm == KeyAlgorithm.EcdsaP256 ? (ECCurve.NamedCurves.nistP256, P256) : (ECCurve.NamedCurves.nistP384, P384);
        using var ec = ECDsa.Create(curve);
        var p = ec.ExportParameters(includePrivateParameters: true);
        try
        {
            var q = domain.Curve.CreatePoint(Unsigned(p.Q.X!), Unsigned(p.Q.Y!));
            var publicKey = new ECPublicKeyParameters("EC", domain.ValidatePublicPoint(q), domain);
            return new AsymmetricCipherKeyPair(publicKey, new GeneratedEcPrivateKey(Unsigned(p.D!), domain, ec.ExportPkcs8PrivateKey()));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(p.D);
        }
    }

    /// <summary>The PKCS#8 written by OpenSSL when the key was generated here, or null for any other key.</summary>
    public static byte[]? Pkcs8Of(AsymmetricKeyParameter privateKey) => (privateKey as GeneratedEcPrivateKey)?.Pkcs8.ToArray();

    private static Org.BouncyCastle.Math.BigInteger Unsigned(byte[] bigEndian) => new(1, bigEndian);

    /// <summary>A BouncyCastle EC private key that remembers the PKCS#8 OpenSSL produced for it.</summary>
    private sealed class GeneratedEcPrivateKey(Org.BouncyCastle.Math.BigInteger d, ECDomainParameters domain, byte[] pkcs8)
        : ECPrivateKeyParameters("EC", d, domain)
    {
        public byte[] Pkcs8 { get; } = pkcs8;
    }
}
