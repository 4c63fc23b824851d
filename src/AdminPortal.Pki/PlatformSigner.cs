using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;

namespace AdminPortal.Pki;

/// <summary>
/// Signs what BouncyCastle's generators produce (certificates, and the CRL's to-be-signed bytes) with the
/// platform's OpenSSL: ECDSA and RSA signatures there are many times faster than BouncyCastle's, and the
/// SHA-256 of a 5 MB CRL too. The algorithm identifier is BouncyCastle's own, so the output is the same shape.
/// Ed25519 stays with BouncyCastle (.NET has no Ed25519). One native key per CA, created on first use;
/// signing takes a lock because .NET does not promise that one key object may sign on two threads at once.
/// </summary>
internal sealed class PlatformSigner : ISignatureFactory
{
    private readonly AsymmetricAlgorithm _key;
    private readonly HashAlgorithmName _hash;

    private PlatformSigner(AsymmetricAlgorithm key, AlgorithmIdentifier algorithm, HashAlgorithmName hash)
    {
        _key = key;
        AlgorithmDetails = algorithm;
        _hash = hash;
    }

    public object AlgorithmDetails { get; }

    /// <summary>The fastest signer for this key: the platform's for ECDSA and RSA, BouncyCastle's otherwise.</summary>
    public static ISignatureFactory For(AsymmetricKeyParameter privateKey, string signatureAlgorithm, Org.BouncyCastle.Security.SecureRandom random)
    {
        var bc = new Asn1SignatureFactory(signatureAlgorithm, privateKey, random);
        if (privateKey is not (ECPrivateKeyParameters or RsaPrivateCrtKeyParameters)) return bc;
        var pkcs8 = KeyPairs.ExportPkcs8(privateKey);
        try
        {
            AsymmetricAlgorithm key = privateKey is ECPrivateKeyParameters ? ECDsa.Create() : RSA.Create();
            key.ImportPkcs8PrivateKey(pkcs8, out _);
            var hash = signatureAlgorithm.StartsWith("SHA384", StringComparison.OrdinalIgnoreCase) ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;
            return new PlatformSigner(key, (AlgorithmIdentifier)bc.AlgorithmDetails, hash);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    public IStreamCalculator<IBlockResult> CreateCalculator() => new Calculator(this);

    /// <summary>The signature of <paramref name="data"/> (without copying it into a calculator's stream first when the signer is ours).</summary>
    public static byte[] Sign(ISignatureFactory signer, byte[] data)
    {
        if (signer is PlatformSigner platform) return platform.Sign(data);
        var calculator = signer.CreateCalculator();
        using (var stream = calculator.Stream) stream.Write(data);
        return calculator.GetResult().Collect();
    }

    private byte[] Sign(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[64];
        var length = CryptographicOperations.HashData(_hash, data, digest);
        lock (_key)
            return _key is ECDsa ec
                ? ec.SignHash(digest[..length], DSASignatureFormat.Rfc3279DerSequence)
                : ((RSA)_key).SignHash(digest[..length], _hash, RSASignaturePadding.Pkcs1);
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BouncyCastle's generators dispose Stream themselves, then call GetResult; nothing disposes the calculator.")]
    private sealed class Calculator(PlatformSigner signer) : IStreamCalculator<IBlockResult>
    {
        private readonly MemoryStream _data = new();

        public Stream Stream => _data;

        // The generators dispose the stream before asking for the result; TryGetBuffer still hands back the bytes.
        public IBlockResult GetResult() => _data.TryGetBuffer(out var written)
            ? new SimpleBlockResult(signer.Sign(written))
            : throw new InvalidOperationException("The data to sign is not readable.");
    }
}
