using AdminPortal.Pki;

namespace AdminPortal.Tests.Pki;

/// <summary>The engine's certificates and CRLs, checked by OpenSSL against the table in OPENVPN.md.</summary>
public sealed class PkiEngineTests : IDisposable
{
    private readonly OpenSsl _ssl = new();
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    public void Dispose() => _ssl.Dispose();

    private static CertificateAuthorityKeys NewCa(KeyAlgorithm algorithm)
    {
        var keys = KeyPairs.Generate(algorithm);
        var cert = CertificateBuilder.CreateRootCa("Test VPN CA", keys, Now, TimeSpan.FromDays(3650), Serials.New());
        return new CertificateAuthorityKeys(cert, keys.Private);
    }

    public static TheoryData<KeyAlgorithm> Algorithms => [KeyAlgorithm.EcdsaP256, KeyAlgorithm.EcdsaP384, KeyAlgorithm.Rsa2048, KeyAlgorithm.Ed25519];

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Client_and_server_certificates_pass_openssl_strict_verification_with_the_extensions_openvpn_needs(KeyAlgorithm algorithm)
    {
        var ca = NewCa(algorithm);
        var caPem = _ssl.Write("ca.pem", Pem.Certificate(ca.Certificate));
        foreach (var kind in new[] { CertificateKind.Client, CertificateKind.Server })
        {
            var leafKeys = KeyPairs.Generate(algorithm);
            var leaf = CertificateBuilder.Issue(ca, kind, "alice", leafKeys.Public, Now, TimeSpan.FromDays(825), Serials.New());
            var leafPem = _ssl.Write($"{kind}.pem", Pem.Certificate(leaf));

            var purpose = kind == CertificateKind.Client ? "sslclient" : "sslserver";
            var (exit, output) = _ssl.Run("verify", "-x509_strict", "-purpose", purpose, "-CAfile", caPem, leafPem);
            Assert.True(exit == 0, output);

            var text = _ssl.Run("x509", "-in", leafPem, "-noout", "-text", "-certopt", "no_pubkey,no_sigdump").Output;
            Assert.Contains("X509v3 Basic Constraints: critical", text);
            Assert.Contains("CA:FALSE", text);
            Assert.Contains("X509v3 Key Usage: critical", text);
            Assert.Contains("Digital Signature", text);
            Assert.Equal(algorithm.IsRsa(), text.Contains("Key Encipherment"));
            Assert.Contains(kind == CertificateKind.Client ? "TLS Web Client Authentication" : "TLS Web Server Authentication", text);
            Assert.DoesNotContain(kind == CertificateKind.Client ? "TLS Web Server Authentication" : "TLS Web Client Authentication", text);
            Assert.Contains("X509v3 Subject Key Identifier", text);
            Assert.Contains("X509v3 Authority Key Identifier", text);
            Assert.DoesNotContain("Netscape Cert Type", text);
            Assert.Contains("Subject: CN = alice", text);
        }

        var caText = _ssl.Run("x509", "-in", caPem, "-noout", "-text").Output;
        Assert.Contains("CA:TRUE", caText);
        Assert.Contains("Certificate Sign, CRL Sign", caText);
    }

    public static TheoryData<KeyAlgorithm, KeyAlgorithm> Tiers => new()
    {
        { KeyAlgorithm.EcdsaP384, KeyAlgorithm.EcdsaP256 },
        { KeyAlgorithm.Rsa2048, KeyAlgorithm.Ed25519 },
        { KeyAlgorithm.Ed25519, KeyAlgorithm.Rsa2048 },
    };

    [Theory]
    [MemberData(nameof(Tiers))]
    public void An_intermediate_under_a_root_of_another_algorithm_gives_a_strict_chain_and_never_outlives_the_root(KeyAlgorithm rootAlgorithm, KeyAlgorithm subAlgorithm)
    {
        var rootKeys = KeyPairs.Generate(rootAlgorithm);
        var root = new CertificateAuthorityKeys(CertificateBuilder.CreateRootCa("Tier Root", rootKeys, Now, TimeSpan.FromDays(100), Serials.New()), rootKeys.Private);
        var subKeys = KeyPairs.Generate(subAlgorithm);
        var sub = new CertificateAuthorityKeys(
            CertificateBuilder.CreateIntermediateCa(root, "Tier Issuing", subKeys, Now, TimeSpan.FromDays(1000), Serials.New()), subKeys.Private);
        Assert.Equal(root.Certificate.NotAfter, sub.Certificate.NotAfter);

        var leafKeys = KeyPairs.Generate(KeyAlgorithm.EcdsaP256);
        var leaf = CertificateBuilder.Issue(sub, CertificateKind.Client, "alice", leafKeys.Public, Now, TimeSpan.FromDays(825), Serials.New());
        var (exit, output) = _ssl.Run("verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", _ssl.Write("root.pem", Pem.Certificate(root.Certificate)),
            "-untrusted", _ssl.Write("sub.pem", Pem.Certificate(sub.Certificate)), _ssl.Write("leaf.pem", Pem.Certificate(leaf)));
        Assert.True(exit == 0, output);
        Assert.Equal(sub.Certificate.NotAfter, leaf.NotAfter);
        Assert.Equal(0, sub.Certificate.GetBasicConstraints()); // pathLen 0: it may sign leaves only
    }

    [Fact]
    public void A_revoked_serial_is_on_the_crl_with_its_reason_and_fails_openssl_crl_check()
    {
        var ca = NewCa(KeyAlgorithm.EcdsaP256);
        var keys = KeyPairs.Generate(KeyAlgorithm.EcdsaP256);
        var serial = Serials.New();
        var leaf = CertificateBuilder.Issue(ca, CertificateKind.Client, "bob", keys.Public, Now, TimeSpan.FromDays(30), serial);
        var crl = CrlBuilder.Build(ca, Org.BouncyCastle.Math.BigInteger.ValueOf(7), Now, Now.AddDays(30),
            [new RevokedEntry(serial, Now, RevocationReason.KeyCompromise)]);

        var caPem = _ssl.Write("ca.pem", Pem.Certificate(ca.Certificate));
        var leafPem = _ssl.Write("bob.pem", Pem.Certificate(leaf));
        var crlPem = _ssl.Write("crl.pem", Pem.Crl(crl));

        var text = _ssl.Run("crl", "-in", crlPem, "-noout", "-text").Output;
        Assert.Contains("Version 2", text);
        Assert.Contains("X509v3 CRL Number", text);
        Assert.Contains("X509v3 Authority Key Identifier", text);
        Assert.DoesNotContain("Issuing Distribution Point", text);
        Assert.Contains(Serials.ToHex(serial).ToUpperInvariant(), text.Replace(":", "").ToUpperInvariant());
        Assert.Contains("Key Compromise", text);

        var (exit, output) = _ssl.Run("verify", "-crl_check", "-CAfile", caPem, "-CRLfile", crlPem, leafPem);
        Assert.NotEqual(0, exit);
        Assert.Contains("certificate revoked", output);
        Assert.Equal(7, CrlBuilder.NumberOf(crl)!.IntValue);
    }

    [Theory]
    [InlineData(KeyAlgorithm.EcdsaP256)]
    [InlineData(KeyAlgorithm.EcdsaP384)]
    [InlineData(KeyAlgorithm.Rsa2048)]
    [InlineData(KeyAlgorithm.Ed25519)]
    public void A_generated_key_exports_pkcs8_that_openssl_reads_and_that_matches_its_certificate(KeyAlgorithm algorithm)
    {
        var ca = NewCa(KeyAlgorithm.EcdsaP256);
        var keys = KeyPairs.Generate(algorithm);
        var leaf = CertificateBuilder.Issue(ca, CertificateKind.Client, "carol", keys.Public, Now, TimeSpan.FromDays(30), Serials.New());
        var keyPem = _ssl.Write("carol.key", Pem.PrivateKey(KeyPairs.ExportPkcs8(keys.Private)));
        var certPem = _ssl.Write("carol.pem", Pem.Certificate(leaf));

        var (keyExit, keyPublic) = _ssl.Run("pkey", "-in", keyPem, "-pubout");
        var (certExit, certPublic) = _ssl.Run("x509", "-in", certPem, "-noout", "-pubkey");

        Assert.True(keyExit == 0 && certExit == 0, keyPublic + certPublic);
        Assert.Equal(certPublic.Trim(), keyPublic.Trim());
        Assert.Equal(keys.Public, KeyPairs.PublicOf(KeyPairs.ImportPkcs8(KeyPairs.ExportPkcs8(keys.Private))));
    }

    [Fact]
    public void A_crl_of_many_entries_lists_every_serial_date_and_reason_as_openssl_reads_them()
    {
        var ca = NewCa(KeyAlgorithm.EcdsaP256);
        var reasons = Enum.GetValues<RevocationReason>();
        // Small and 128-bit serials, every reason (unspecified has no extension), and a date past 2049 (GeneralizedTime).
        var entries = Enumerable.Range(0, 3000).Select(i => new RevokedEntry(
            i % 100 == 0 ? Org.BouncyCastle.Math.BigInteger.ValueOf(i + 1) : Serials.New(),
            i == 7 ? new DateTimeOffset(2051, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)) : Now.AddMinutes(-i),
            reasons[i % reasons.Length])).ToList();
        var crl = CrlBuilder.Build(ca, Org.BouncyCastle.Math.BigInteger.ValueOf(9), Now, Now.AddDays(7), entries);
        var crlPem = _ssl.Write("many.pem", Pem.Crl(crl));
        var caPem = _ssl.Write("ca.pem", Pem.Certificate(ca.Certificate));

        var (exit, output) = _ssl.Run("crl", "-in", crlPem, "-CAfile", caPem, "-noout");
        Assert.True(exit == 0 && output.Contains("verify OK"), output);
        var text = _ssl.Run("crl", "-in", crlPem, "-noout", "-text").Output;
        Assert.Equal(entries.Count, text.Split("Serial Number:").Length - 1);
        Assert.Equal(entries.Count(e => e.Reason != RevocationReason.Unspecified), text.Split("X509v3 CRL Reason Code").Length - 1);
        Assert.Contains("Mar  4 03:06:07 2051 GMT", text);
        Assert.Contains("Serial Number: 0B55", text); // 2901, a short serial
        // The BouncyCastle object reads the same CRL back, entries included, and its signature verifies.
        Assert.Equal(entries.Count, crl.GetRevokedCertificates().Count);
        Assert.True(crl.IsSignatureValid(ca.Certificate.GetPublicKey()));
        Assert.Equal(9, CrlBuilder.NumberOf(crl)!.IntValue);
    }

    [Fact]
    public void Serials_are_positive_128_bit_and_distinct()
    {
        var serials = Enumerable.Range(0, 10_000).Select(_ => Serials.New()).ToList();
        Assert.All(serials, s => Assert.True(s.SignValue > 0 && s.BitLength <= 128));
        Assert.Equal(serials.Count, serials.Select(Serials.ToHex).Distinct().Count());
    }

    [Fact]
    public void A_garbage_csr_is_refused_and_a_real_one_gives_its_public_key()
    {
        Assert.Null(CsrReader.PublicKeyOf("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"));
        Assert.Null(CsrReader.PublicKeyOf("not a csr"));
        var key = _ssl.Write("k.pem", "");
        _ssl.Run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key);
        var csr = Path.Combine(_ssl.Dir, "r.csr");
        var (exit, output) = _ssl.Run("req", "-new", "-key", key, "-subj", "/CN=whatever", "-out", csr);
        Assert.True(exit == 0, output);
        Assert.NotNull(CsrReader.PublicKeyOf(File.ReadAllText(csr)));
    }
}
