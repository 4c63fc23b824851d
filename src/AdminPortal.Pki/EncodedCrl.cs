using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.X509;

namespace AdminPortal.Pki;

/// <summary>
/// A signed CRL as BouncyCastle's X509Crl that gives back the very bytes that were signed from GetEncoded
/// (instead of re-encoding 100,000 entries), built on the CRL's header (the same CRL without its entries: issuer,
/// dates, extensions, signature algorithm). Everything that involves the entries or the signed bytes parses the
/// full DER on first use.
/// </summary>
internal sealed class EncodedCrl(CertificateList header, byte[] der) : X509Crl(header)
{
    private readonly Lazy<X509Crl> _full = new(() => new X509Crl(der));

    public override byte[] GetEncoded() => (byte[])der.Clone();

    public override CertificateList CertificateList => _full.Value.CertificateList;

    public override X509CrlEntry GetRevokedCertificate(BigInteger serialNumber) => _full.Value.GetRevokedCertificate(serialNumber);

    public override ISet<X509CrlEntry> GetRevokedCertificates() => _full.Value.GetRevokedCertificates();

    public override bool IsRevoked(X509Certificate cert) => _full.Value.IsRevoked(cert);

    public override byte[] GetTbsCertList() => _full.Value.GetTbsCertList();

    public override bool IsSignatureValid(AsymmetricKeyParameter key) => _full.Value.IsSignatureValid(key);

    public override bool IsSignatureValid(IVerifierFactoryProvider verifierProvider) => _full.Value.IsSignatureValid(verifierProvider);

    public override bool IsAlternativeSignatureValid(IVerifierFactoryProvider verifierProvider) => _full.Value.IsAlternativeSignatureValid(verifierProvider);

    public override void Verify(AsymmetricKeyParameter publicKey) => _full.Value.Verify(publicKey);

    public override void Verify(IVerifierFactoryProvider verifierProvider) => _full.Value.Verify(verifierProvider);

    public override void VerifyAltSignature(IVerifierFactoryProvider verifierProvider) => _full.Value.VerifyAltSignature(verifierProvider);

    public override bool Equals(object? obj) => obj is X509Crl other && der.AsSpan().SequenceEqual(other.GetEncoded());

    public override int GetHashCode() => _full.Value.GetHashCode();

    public override string ToString() => _full.Value.ToString();
}
