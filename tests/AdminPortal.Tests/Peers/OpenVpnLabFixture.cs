namespace AdminPortal.Tests.Peers;

/// <summary>
/// One easy-rsa PKI (passphrase-protected CA; server; alice valid; bob revoked) and one OpenVPN server in a
/// namespace, shared by a test class. Tests that change the CRL put the current one back.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OpenVpnLabFixture : IAsyncLifetime
{
    public EasyRsaPki Pki { get; private set; } = null!;
    public OpenVpnLab Lab { get; private set; } = null!;
    public EasyRsaCertificate Server { get; private set; } = null!;
    public EasyRsaCertificate Alice { get; private set; } = null!;
    public EasyRsaCertificate Bob { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Pki = await EasyRsaPki.CreateAsync();
        Server = await Pki.BuildServerAsync();
        Alice = await Pki.BuildClientAsync("alice");
        Bob = await Pki.BuildClientAsync("bob");
        await Pki.RevokeAsync("bob", "keyCompromise");
        var crl = await Pki.GenCrlAsync();
        Lab = await OpenVpnLab.StartAsync(Pki.CaCertPem, Server.CertificatePem, Server.KeyPem, crl);
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (Lab is not null) await Lab.DisposeAsync();
        }
        finally
        {
            Pki?.Dispose();
        }
    }
}
