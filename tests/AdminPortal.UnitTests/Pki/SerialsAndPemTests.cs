using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AdminPortal.Pki;
using Org.BouncyCastle.Math;

namespace AdminPortal.UnitTests.Pki;

/// <summary>Serial numbers (RFC 5280: positive, at most 20 octets, unpredictable) and PEM as OpenSSL and OpenVPN read it.</summary>
public sealed class SerialsAndPemTests
{
    [Fact]
    public void New_serials_are_positive_at_most_128_bits_and_do_not_repeat()
    {
        var serials = Enumerable.Range(0, 2000).Select(_ => Serials.New()).ToList();
        Assert.All(serials, s => Assert.Equal(1, s.SignValue));
        Assert.All(serials, s => Assert.InRange(s.BitLength, 1, 128));
        Assert.Equal(serials.Count, serials.Select(Serials.ToHex).Distinct().Count());
        Assert.Contains(serials, s => s.BitLength > 120); // random over the whole range, not small counters
    }

    [Theory]
    [InlineData("0A1B", "a1b")]
    [InlineData("00ff", "ff")]
    [InlineData("7fffffffffffffffffffffffffffffff", "7fffffffffffffffffffffffffffffff")]
    [InlineData("1", "1")]
    public void Hex_is_lower_case_without_leading_zeros_as_OpenSSL_prints_it(string hex, string printed)
    {
        Assert.Equal(printed, Serials.ToHex(Serials.FromHex(hex)));
        Assert.Equal(new BigInteger(hex, 16), Serials.FromHex(printed));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(48)]
    [InlineData(100)]
    [InlineData(1000)]
    public void A_pem_block_is_what_the_platform_writes_with_unix_line_ends(int size)
    {
        var der = RandomNumberGenerator.GetBytes(size);
        var pem = Pem.Block("X509 CRL", der);
        Assert.Equal(new string(PemEncoding.Write("X509 CRL", der)) + "\n", pem);
        Assert.DoesNotContain('\r', pem);
        Assert.All(pem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)), l => Assert.InRange(l.Length, 0, 64));
    }

    [Fact]
    public void Reading_takes_every_block_of_the_type_asked_for_in_order_and_skips_the_others()
    {
        byte[] a = [1, 2, 3], b = [4, 5], key = [9];
        var text = Pem.Block("CERTIFICATE", a) + "junk between blocks\n" + Pem.PrivateKey(key) + Pem.Block("CERTIFICATE", b);
        Assert.Equal([a, b], Pem.ReadAll(text, "CERTIFICATE"));
        Assert.Equal([key], Pem.ReadAll(text, "PRIVATE KEY"));
        Assert.Empty(Pem.ReadAll(text, "X509 CRL"));
    }

    [Fact]
    public void A_certificate_round_trips_and_text_without_one_is_a_format_error()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = new CertificateRequest("CN=Round Trip", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var read = Pem.ReadCertificate(cert.ExportCertificatePem());
        Assert.Equal(cert.RawData, read.GetEncoded());
        Assert.Equal(cert.ExportCertificatePem() + "\n", Pem.Certificate(read));
        Assert.Throws<FormatException>(() => Pem.ReadCertificate(Pem.PrivateKey([1, 2, 3])));
    }
}
