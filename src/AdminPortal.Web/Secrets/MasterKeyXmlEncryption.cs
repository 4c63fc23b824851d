using System.Xml.Linq;
using AdminPortal.Data;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Secrets;

/// <summary>
/// Data Protection keys (which sign cookies and antiforgery tokens) are shared through the database so
/// every instance accepts the others' cookies; they are encrypted under the master key so a dump alone
/// cannot forge a session.
/// </summary>
internal sealed class MasterKeyXmlEncryption(SecretProtector secrets) : IConfigureOptions<KeyManagementOptions>
{
    public void Configure(KeyManagementOptions options)
    {
        options.XmlEncryptor = new Encryptor(secrets);
    }

    private sealed class Encryptor(SecretProtector secrets) : IXmlEncryptor
    {
        public EncryptedXmlInfo Encrypt(XElement plaintextElement)
        {
            var sealedText = secrets.ProtectString(plaintextElement.ToString(SaveOptions.DisableFormatting), "dataprotection");
            return new EncryptedXmlInfo(new XElement("masterKeyEncrypted", sealedText), typeof(Decryptor));
        }
    }

    public sealed class Decryptor(IServiceProvider services) : IXmlDecryptor
    {
        public XElement Decrypt(XElement encryptedElement) =>
            XElement.Parse(services.GetRequiredService<SecretProtector>().UnprotectString(encryptedElement.Value, "dataprotection"));
    }
}
