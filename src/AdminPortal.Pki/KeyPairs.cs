using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace AdminPortal.Pki;

/// <summary>Key generation and PKCS#8 (de)serialization. ECDSA and RSA keys come from the platform (OpenSSL), which is much faster than BouncyCastle's generators.</summary>
public static class KeyPairs
{
    private static readonly SecureRandom Random = new();

    public static AsymmetricCipherKeyPair Generate(KeyAlgorithm algorithm)
    {
        switch (algorithm)
        {
            case KeyAlgorithm.EcdsaP256:
            case KeyAlgorithm.EcdsaP384:
                return PlatformKeys.GenerateEc(algorithm);
            case KeyAlgorithm.Ed25519:
                var ed = new Ed25519KeyPairGenerator();
                ed.Init(new Ed25519KeyGenerationParameters(Random));
                return ed.GenerateKeyPair();
            default:
                using (var rsa = RSA.Create(algorithm switch { KeyAlgorithm.Rsa2048 => 2048, KeyAlgorithm.Rsa3072 => 3072, _ => 4096 }))
                    return DotNetUtilities.GetRsaKeyPair(rsa.ExportParameters(includePrivateParameters: true));
        }
    }

    /// <summary>PKCS#8 DER of a private key (what the portal encrypts under the master key).</summary>
    public static byte[] ExportPkcs8(AsymmetricKeyParameter privateKey) =>
        PlatformKeys.Pkcs8Of(privateKey)
        ?? (privateKey is Ed25519PrivateKeyParameters ed ? Ed25519Pkcs8V1(ed) : PrivateKeyInfoFactory.CreatePrivateKeyInfo(privateKey).GetDerEncoded());

    /// <summary>
    /// RFC 8410's plain form (version 0, no public key): BouncyCastle writes version 1 with the public key
    /// tagged in a way OpenSSL 3.0 refuses ("unsupported"), so OpenVPN could not load such a key.
    /// </summary>
    private static byte[] Ed25519Pkcs8V1(Ed25519PrivateKeyParameters key)
    {
        var w = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            w.WriteInteger(0);
            using (w.PushSequence()) w.WriteObjectIdentifier("1.3.101.112");
            var inner = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
            inner.WriteOctetString(key.GetEncoded());
            w.WriteOctetString(inner.Encode());
        }
        return w.Encode();
    }

    public static AsymmetricKeyParameter ImportPkcs8(byte[] der) => PrivateKeyFactory.CreateKey(der);

    /// <summary>The public half of a private key.</summary>
    public static AsymmetricKeyParameter PublicOf(AsymmetricKeyParameter privateKey) => privateKey switch
    {
        ECPrivateKeyParameters ec => new ECPublicKeyParameters(ec.AlgorithmName, ec.Parameters.G.Multiply(ec.D).Normalize(), ec.PublicKeyParamSet),
        Ed25519PrivateKeyParameters ed => ed.GeneratePublicKey(),
        RsaPrivateCrtKeyParameters rsa => new RsaKeyParameters(false, rsa.Modulus, rsa.PublicExponent),
        _ => throw new NotSupportedException($"Unsupported key type {privateKey.GetType().Name}."),
    };

    /// <summary>What algorithm a public key is, for choosing key usage and signature algorithm.</summary>
    public static KeyAlgorithm AlgorithmOf(AsymmetricKeyParameter publicKey) => publicKey switch
    {
        ECPublicKeyParameters ec when ec.Q.Curve.FieldSize == 256 => KeyAlgorithm.EcdsaP256,
        ECPublicKeyParameters ec when ec.Q.Curve.FieldSize == 384 => KeyAlgorithm.EcdsaP384,
        Ed25519PublicKeyParameters => KeyAlgorithm.Ed25519,
        RsaKeyParameters rsa when rsa.Modulus.BitLength <= 2048 => KeyAlgorithm.Rsa2048,
        RsaKeyParameters rsa when rsa.Modulus.BitLength <= 3072 => KeyAlgorithm.Rsa3072,
        RsaKeyParameters => KeyAlgorithm.Rsa4096,
        _ => throw new NotSupportedException($"Unsupported public key {publicKey.GetType().Name}."),
    };

    public static Org.BouncyCastle.Asn1.X509.SubjectPublicKeyInfo Info(AsymmetricKeyParameter publicKey) => SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(publicKey);
}
