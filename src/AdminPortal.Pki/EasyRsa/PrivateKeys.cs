using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Security;

namespace AdminPortal.Pki.EasyRsa;

/// <summary>Reads PEM private keys as OpenSSL writes them: PKCS#8 (plain or encrypted) and the traditional formats.</summary>
public static class PrivateKeys
{
    /// <summary>The key, or null when the passphrase is missing or wrong, or the text is not a key.</summary>
    public static AsymmetricKeyParameter? Read(string pem, string? passphrase)
    {
        try
        {
            if (Pem.ReadAll(pem, "ENCRYPTED PRIVATE KEY") is [var encrypted, ..])
                return passphrase is null ? null : PrivateKeyFactory.DecryptKey(passphrase.ToCharArray(), EncryptedPrivateKeyInfo.GetInstance(encrypted));
            if (Pem.ReadAll(pem, "PRIVATE KEY") is [var plain, ..])
                return PrivateKeyFactory.CreateKey(plain);
            using var reader = new PemReader(new StringReader(pem), passphrase is null ? null : new Password(passphrase));
            return reader.ReadObject() switch
            {
                AsymmetricCipherKeyPair pair => pair.Private,
                AsymmetricKeyParameter { IsPrivate: true } key => key,
                _ => null,
            };
        }
        catch (Exception e) when (e is InvalidCipherTextException or IOException or ArgumentException or InvalidCastException
                                      or PemException or SecurityUtilityException or InvalidOperationException or Org.BouncyCastle.OpenSsl.PasswordException)
        {
            return null;
        }
    }

    private sealed class Password(string value) : IPasswordFinder
    {
        public char[] GetPassword() => value.ToCharArray();
    }
}
