using System.Security.Cryptography;
using System.Text;

namespace AdminPortal.Tests.Peers;

/// <summary>
/// Proves the OpenVPN lab itself with material made by the real easy-rsa (no portal code), so that the PKI's
/// tests can trust an "accepted"/"rejected" from it.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OpenVpnLabTests(OpenVpnLabFixture f) : IClassFixture<OpenVpnLabFixture>
{
    [Fact]
    public async Task Valid_client_connects()
    {
        var c = await f.Lab.ConnectAsync(f.Alice.CertificatePem, f.Alice.KeyPem);

        Assert.True(c.Connected, c.ToString());
        Assert.Equal("alice", c.CommonName);
    }

    [Fact]
    public async Task Revoked_client_is_rejected_as_certificate_revoked()
    {
        var c = await f.Lab.ConnectAsync(f.Bob.CertificatePem, f.Bob.KeyPem);

        Assert.True(c.Rejected, c.ToString());
        Assert.Equal("certificate revoked", c.Reason);
    }

    [Fact]
    public async Task Client_revoked_while_the_server_runs_is_rejected_once_the_crl_is_replaced_without_restart()
    {
        var carol = await f.Pki.BuildClientAsync("carol");
        var pid = f.Lab.ServerPid;
        var before = await f.Lab.ConnectAsync(carol.CertificatePem, carol.KeyPem);
        Assert.True(before.Connected, before.ToString());

        await f.Pki.RevokeAsync("carol", "superseded");
        f.Lab.ReplaceCrl(await f.Pki.GenCrlAsync());
        var after = await f.Lab.ConnectAsync(carol.CertificatePem, carol.KeyPem);

        Assert.True(after.Rejected, after.ToString());
        Assert.Equal("certificate revoked", after.Reason);
        Assert.Contains("CRL: loaded", after.ServerLog);
        Assert.Equal(pid, f.Lab.ServerPid);
        Assert.True(f.Lab.ServerRunning);
        var alice = await f.Lab.ConnectAsync(f.Alice.CertificatePem, f.Alice.KeyPem);
        Assert.True(alice.Connected, alice.ToString());
    }

    [Fact]
    public async Task Crl_past_its_next_update_rejects_every_client_until_a_current_one_replaces_it()
    {
        f.Lab.ReplaceCrl(await f.Pki.GenExpiredCrlAsync());
        try
        {
            var alice = await f.Lab.ConnectAsync(f.Alice.CertificatePem, f.Alice.KeyPem);
            Assert.True(alice.Rejected, alice.ToString());
            Assert.Equal("CRL has expired", alice.Reason);
        }
        finally
        {
            f.Lab.ReplaceCrl(f.Pki.CrlPem);
        }
        var again = await f.Lab.ConnectAsync(f.Alice.CertificatePem, f.Alice.KeyPem);
        Assert.True(again.Connected, again.ToString());
    }

    [Fact]
    public async Task Server_certificate_used_as_a_client_is_rejected_as_unsuitable_purpose()
    {
        var c = await f.Lab.ConnectAsync(f.Server.CertificatePem, f.Server.KeyPem);

        Assert.True(c.Rejected, c.ToString());
        Assert.Equal("unsuitable certificate purpose", c.Reason);
    }

    [Fact]
    public async Task Client_with_a_passphrase_protected_key_connects_with_its_passphrase()
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(f.Alice.KeyPem);
        var encrypted = key.ExportEncryptedPkcs8PrivateKeyPem(Encoding.UTF8.GetBytes("bundle pass"),
            new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000));

        var right = await f.Lab.ConnectAsync(f.Alice.CertificatePem, encrypted, "bundle pass");
        var wrong = await f.Lab.ConnectAsync(f.Alice.CertificatePem, encrypted, "not the pass");

        Assert.True(right.Connected, right.ToString());
        Assert.Equal(OpenVpnOutcome.ClientFailed, wrong.Outcome);
        Assert.Contains("private key password verification failed", wrong.Reason);
    }

    [Fact]
    public async Task Management_interface_answers_status()
    {
        var status = await f.Lab.ManagementAsync("status 2");

        Assert.StartsWith("TITLE,OpenVPN 2.6", status);
        Assert.EndsWith("END\n", status);
    }

    [Fact]
    public async Task Server_that_cannot_start_fails_with_its_log_and_leaves_no_namespace()
    {
        var e = await Assert.ThrowsAsync<OpenVpnLabStartException>(() =>
            OpenVpnLab.StartAsync(f.Pki.CaCertPem, f.Alice.CertificatePem, f.Server.KeyPem, f.Pki.CrlPem));

        Assert.Contains("key values mismatch", e.LogTail);
        Assert.False(await NetNamespace.ExistsAsync(e.Namespace));
    }
}
