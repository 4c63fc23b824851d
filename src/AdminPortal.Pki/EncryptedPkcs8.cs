using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;

namespace AdminPortal.Pki;

/// <summary>
/// PKCS#8 EncryptedPrivateKeyInfo (RFC 5958) with PBES2: PBKDF2-HMAC-SHA256 and AES-256-CBC, the scheme
/// <c>openssl pkcs8 -topk8 -v2 aes-256-cbc</c> writes; OpenVPN and OpenSSL 3 ask for its passphrase.
/// Works for any key type, since it only wraps the PKCS#8 bytes.
/// </summary>
public static class EncryptedPkcs8
{
    public const int Iterations = 100_000;
    private const string Pbes2 = "1.2.840.113549.1.5.13";
    private const string Pbkdf2 = "1.2.840.113549.1.5.12";
    private const string HmacSha256 = "1.2.840.113549.2.9";
    private const string Aes256Cbc = "2.16.840.1.101.3.4.1.42";

    public static string Pem(byte[] pkcs8, string passphrase, int iterations = Iterations) =>
        AdminPortal.Pki.Pem.Block("ENCRYPTED PRIVATE KEY", Encrypt(pkcs8, passphrase, iterations));

    public static byte[] Encrypt(byte[] pkcs8, string passphrase, int iterations = Iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var iv = RandomNumberGenerator.GetBytes(16);
        var key = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(passphrase), salt, iterations, HashAlgorithmName.SHA256, 32);
        byte[] encrypted;
        using (var aes = Aes.Create())
        {
            aes.Key = key;
            encrypted = aes.EncryptCbc(pkcs8, iv, PaddingMode.PKCS7);
        }
        CryptographicOperations.ZeroMemory(key);

        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            using (w.PushSequence())
            {
                w.WriteObjectIdentifier(Pbes2);
                using (w.PushSequence())
                {
                    using (w.PushSequence())
                    {
                        w.WriteObjectIdentifier(Pbkdf2);
                        using (w.PushSequence())
                        {
                            w.WriteOctetString(salt);
                            w.WriteInteger(iterations);
                            using (w.PushSequence())
                            {
                                w.WriteObjectIdentifier(HmacSha256);
                                w.WriteNull();
                            }
                        }
                    }
                    using (w.PushSequence())
                    {
                        w.WriteObjectIdentifier(Aes256Cbc);
                        w.WriteOctetString(iv);
                    }
                }
            }
            w.WriteOctetString(encrypted);
        }
        return w.Encode();
    }
}
