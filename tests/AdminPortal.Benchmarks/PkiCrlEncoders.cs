using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AdminPortal.Pki;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace AdminPortal.Benchmarks;

/// <summary>The CRL encoders the engine's CrlBuilder is compared with, each producing the same content.</summary>
public static class PkiCrlEncoders
{
    private static readonly SecureRandom Random = new();

    /// <summary>BouncyCastle's X509V2CrlGenerator: the engine's encoder before this benchmark.</summary>
    public static byte[] BouncyCastle(CertificateAuthorityKeys ca, long number, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate, IReadOnlyList<RevokedEntry> entries)
    {
        var g = new X509V2CrlGenerator();
        g.SetIssuerDN(ca.Certificate.SubjectDN);
        g.SetThisUpdate(thisUpdate.UtcDateTime);
        g.SetNextUpdate(nextUpdate.UtcDateTime);
        foreach (var e in entries)
            g.AddCrlEntry(e.Serial, e.RevokedAt.UtcDateTime, (int)e.Reason);
        g.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, X509ExtensionUtilities.CreateAuthorityKeyIdentifier(ca.Certificate));
        g.AddExtension(X509Extensions.CrlNumber, false, new CrlNumber(Org.BouncyCastle.Math.BigInteger.ValueOf(number)));
        return g.Generate(new Asn1SignatureFactory(ca.SignatureAlgorithm, ca.PrivateKey, Random)).GetEncoded();
    }

    /// <summary>.NET's CertificateRevocationListBuilder signed by .NET's ECDsa (the CA key imported from PKCS#8): all .NET.</summary>
    public static byte[] DotNet(CertificateAuthorityKeys ca, ECDsa caKey, long number, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate, IReadOnlyList<RevokedEntry> entries)
    {
        var b = new CertificateRevocationListBuilder();
        foreach (var e in entries)
            b.AddEntry(e.Serial.ToByteArray(), e.RevokedAt, e.Reason == RevocationReason.Unspecified ? null : (X509RevocationReason)(int)e.Reason);
        using var caCert = X509CertificateLoader.LoadCertificate(ca.Certificate.GetEncoded());
        var aki = X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caCert, includeKeyIdentifier: true, includeIssuerAndSerial: false);
        return b.Build(caCert.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), number, nextUpdate, HashAlgorithmName.SHA256, aki, thisUpdate);
    }

    public static ECDsa ImportEcKey(CertificateAuthorityKeys ca)
    {
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(KeyPairs.ExportPkcs8(ca.PrivateKey), out _);
        return key;
    }
}
