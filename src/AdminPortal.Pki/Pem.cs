using System.Text;
using Org.BouncyCastle.Utilities.IO.Pem;
using Org.BouncyCastle.X509;

namespace AdminPortal.Pki;

public static class Pem
{
    public static string Certificate(X509Certificate c) => Block("CERTIFICATE", c.GetEncoded());
    public static string Crl(X509Crl crl) => Block("X509 CRL", crl.GetEncoded());

    /// <summary>An unencrypted PKCS#8 private key ("PRIVATE KEY").</summary>
    public static string PrivateKey(byte[] pkcs8Der) => Block("PRIVATE KEY", pkcs8Der);

    public static string Block(string type, byte[] der)
    {
        var sb = new StringBuilder();
        using (var w = new StringWriter(sb))
        {
            var pem = new Org.BouncyCastle.Utilities.IO.Pem.PemWriter(w);
            pem.WriteObject(new PemObject(type, der));
        }
        return sb.ToString().Replace("\r\n", "\n");
    }

    /// <summary>Every object of the given PEM type in the text, in order.</summary>
    public static IReadOnlyList<byte[]> ReadAll(string pem, string type)
    {
        var list = new List<byte[]>();
        using var reader = new Org.BouncyCastle.Utilities.IO.Pem.PemReader(new StringReader(pem));
        PemObject? o;
        while ((o = reader.ReadPemObject()) is not null)
            if (o.Type == type) list.Add(o.Content);
        return list;
    }

    public static X509Certificate ReadCertificate(string pem) =>
        new X509CertificateParser().ReadCertificate(ReadAll(pem, "CERTIFICATE") is [var der, ..]
            ? der : throw new FormatException("No certificate in the PEM text."));

    internal static Org.BouncyCastle.OpenSsl.PemReader Reader(string pem) => new(new StringReader(pem));
}
