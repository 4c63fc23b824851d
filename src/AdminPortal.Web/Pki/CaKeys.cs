using AdminPortal.Data;
using AdminPortal.Data.Pki;
using AdminPortal.Pki;

namespace AdminPortal.Web.Pki;

/// <summary>The one place a CA's private key is decrypted, for signing, and never leaves the process.</summary>
public sealed class CaKeys(SecretProtector secrets)
{
    public static string Purpose(Guid caId) => $"ca:{caId}";

    public byte[] Seal(Guid caId, byte[] pkcs8) => secrets.Protect(pkcs8, Purpose(caId));

    public CertificateAuthorityKeys Open(CertificateAuthority ca) =>
        new(Pem.ReadCertificate(ca.CertificatePem), KeyPairs.ImportPkcs8(secrets.Unprotect(ca.EncryptedKey, Purpose(ca.Id))));

    public static string CertificatePurpose(Guid certificateId) => $"cert:{certificateId}";
}
