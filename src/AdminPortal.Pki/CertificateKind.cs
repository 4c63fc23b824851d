namespace AdminPortal.Pki;

/// <summary>What a leaf certificate is for: exactly one extended key usage each (OPENVPN.md).</summary>
public enum CertificateKind
{
    Client,
    Server,
}
