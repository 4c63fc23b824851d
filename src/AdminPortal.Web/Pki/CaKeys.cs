using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AdminPortal.Data;
using AdminPortal.Data.Pki;
using AdminPortal.Pki;

namespace AdminPortal.Web.Pki;

/// <summary>
/// The one place a CA's private key is decrypted, for signing, and never leaves the process. The opened key
/// (with its OpenSSL signer) is kept per CA and reused while the CA row's certificate and key ciphertext are
/// unchanged: decrypting, parsing and loading the key into OpenSSL for every signature cost more than the
/// signature. A changed row (new key, rotated master key, renewed certificate) replaces the entry; the
/// decrypted PKCS#8 bytes are zeroed as soon as they are parsed.
/// </summary>
public sealed class CaKeys(SecretProtector secrets)
{
    private readonly ConcurrentDictionary<Guid, (byte[] Fingerprint, CertificateAuthorityKeys Keys)> _open = new();

    public static string Purpose(Guid caId) => $"ca:{caId}";

    public byte[] Seal(Guid caId, byte[] pkcs8) => secrets.Protect(pkcs8, Purpose(caId));

    public CertificateAuthorityKeys Open(CertificateAuthority ca)
    {
        var fingerprint = Fingerprint(ca);
        if (_open.TryGetValue(ca.Id, out var open) && open.Fingerprint.AsSpan().SequenceEqual(fingerprint)) return open.Keys;
        var pkcs8 = secrets.Unprotect(ca.EncryptedKey, Purpose(ca.Id));
        try
        {
            var keys = new CertificateAuthorityKeys(Pem.ReadCertificate(ca.CertificatePem), KeyPairs.ImportPkcs8(pkcs8));
            _open[ca.Id] = (fingerprint, keys);
            return keys;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    public static string CertificatePurpose(Guid certificateId) => $"cert:{certificateId}";

    private static byte[] Fingerprint(CertificateAuthority ca)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(ca.EncryptedKey);
        sha.AppendData(Encoding.UTF8.GetBytes(ca.CertificatePem));
        return sha.GetHashAndReset();
    }
}
