using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AdminPortal.Pki;
using AdminPortal.Web.VpnServers;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace AdminPortal.UnitTests.Pki;

/// <summary>
/// What identifies a CRL in a crl-verify file (issuer, cRLNumber, thisUpdate, nextUpdate), read from CRLs made by .NET's own
/// CRL builder (an implementation independent of the portal's), and the record the host keeps of them (<see cref="CrlStamp"/>).
/// </summary>
public sealed class CrlFactsTests
{
    private static readonly DateTimeOffset ThisUpdate = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static X509Certificate2 NewCa(string cn)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(ThisUpdate.AddDays(-1), ThisUpdate.AddYears(1));
    }

    private static string CrlPem(X509Certificate2 ca, long number, int days = 30)
    {
        var builder = new CertificateRevocationListBuilder();
        builder.AddEntry([0x0a, 0x1b], ThisUpdate.AddHours(-1), X509RevocationReason.KeyCompromise);
        var der = builder.Build(ca, new BigInteger(number), ThisUpdate.AddDays(days), HashAlgorithmName.SHA256, thisUpdate: ThisUpdate);
        return new string(PemEncoding.Write("X509 CRL", der)) + "\n";
    }

    [Fact]
    public void A_crl_s_issuer_number_and_dates_are_read()
    {
        using var ca = NewCa("Facts Root CA");
        var facts = Assert.Single(CrlFacts.ReadPem(CrlPem(ca, 12)));
        Assert.Equal(12, facts.Number);
        Assert.Equal("CN=Facts Root CA", facts.Issuer);
        Assert.Equal(ca.SubjectName.RawData, facts.IssuerDer);
        Assert.Equal(ThisUpdate, facts.ThisUpdate);
        Assert.Equal(ThisUpdate.AddDays(30), facts.NextUpdate);
    }

    [Fact]
    public void Every_crl_of_a_concatenated_file_is_read_in_file_order()
    {
        using var root = NewCa("Tier Root");
        using var issuing = NewCa("Tier Issuing");
        var facts = CrlFacts.ReadPem(CrlPem(issuing, 4) + CrlPem(root, 12));
        Assert.Equal([("CN=Tier Issuing", 4L), ("CN=Tier Root", 12L)], facts.Select(f => (f.Issuer, f.Number)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a pem file at all\n")]
    [InlineData("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n")]
    [InlineData("-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n")]
    [InlineData("-----BEGIN X509 CRL-----\n!!!!\n-----END X509 CRL-----\n")]
    public void A_file_without_a_usable_crl_is_a_format_error(string pem)
    {
        Assert.Throws<FormatException>(() => CrlFacts.ReadPem(pem));
        Assert.Null(CrlStamp.OfPem(pem));
    }

    [Fact]
    public void A_crl_without_a_crl_number_is_a_format_error_as_for_OpenVPN()
    {
        var keys = new ECKeyPairGenerator();
        keys.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, new SecureRandom()));
        var pair = keys.GenerateKeyPair();
        var generator = new X509V2CrlGenerator();
        generator.SetIssuerDN(new X509Name("CN=No Number"));
        generator.SetThisUpdate(ThisUpdate.UtcDateTime);
        generator.SetNextUpdate(ThisUpdate.AddDays(30).UtcDateTime);
        var pem = Pem.Crl(generator.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", pair.Private)));

        var error = Assert.Throws<FormatException>(() => CrlFacts.ReadPem(pem));
        Assert.Contains("no cRLNumber", error.Message);
    }

    [Fact]
    public void The_host_s_record_keys_each_number_by_a_hash_of_its_issuer_and_is_sealed_with_the_crl_hash()
    {
        using var root = NewCa("Tier Root");
        using var issuing = NewCa("Tier Issuing");
        var stamp = CrlStamp.OfPem(CrlPem(issuing, 4) + CrlPem(root, 12))!;
        var issuers = new[] { issuing, root }.Select(c => Convert.ToHexStringLower(SHA256.HashData(c.SubjectName.RawData))[..16]).ToArray();

        Assert.Equal("4,12", stamp.Numbers);
        Assert.Equal([(issuers[0], 4L), (issuers[1], 12L)], stamp.Crls);
        Assert.Equal($"{issuers[0]} 4\n{issuers[1]} 12\nsha256 ab12\n", CrlStamp.Record(stamp, "ab12"));
        Assert.Equal("sha256 ab12\n", CrlStamp.Record(null, "ab12"));
    }
}
