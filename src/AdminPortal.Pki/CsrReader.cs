using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Pkcs;

namespace AdminPortal.Pki;

/// <summary>Reads an uploaded PKCS#10 request: the portal takes only its public key (the subject comes from the portal).</summary>
public static class CsrReader
{
    /// <summary>The request's public key, or null when the text is not a validly self-signed CSR.</summary>
    public static AsymmetricKeyParameter? PublicKeyOf(string pem)
    {
        try
        {
            var der = Pem.ReadAll(pem, "CERTIFICATE REQUEST").Concat(Pem.ReadAll(pem, "NEW CERTIFICATE REQUEST")).FirstOrDefault();
            if (der is null) return null;
            var csr = new Pkcs10CertificationRequest(der);
            if (!csr.Verify()) return null;
            var key = csr.GetPublicKey();
            _ = KeyPairs.AlgorithmOf(key); // only algorithms the portal supports
            return key;
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidCastException or NotSupportedException
                                      or Org.BouncyCastle.Security.SecurityUtilityException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
