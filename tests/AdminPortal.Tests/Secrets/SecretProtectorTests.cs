using System.Security.Cryptography;
using AdminPortal.Data;
using AdminPortal.Web.Secrets;

namespace AdminPortal.Tests.Secrets;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SecretProtectorTests
{
    private static byte[] Key() => RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void A_secret_round_trips_and_its_ciphertext_does_not_contain_it()
    {
        var p = new SecretProtector(Key());
        var sealedText = p.ProtectString("JBSWY3DPEHPK3PXP", "totp:1");
        Assert.DoesNotContain("JBSWY3DPEHPK3PXP", sealedText);
        Assert.Equal("JBSWY3DPEHPK3PXP", p.UnprotectString(sealedText, "totp:1"));
    }

    [Fact]
    public void The_same_secret_encrypts_differently_each_time()
    {
        var p = new SecretProtector(Key());
        Assert.NotEqual(p.ProtectString("x", "p"), p.ProtectString("x", "p"));
    }

    [Fact]
    public void A_ciphertext_moved_to_another_purpose_is_refused()
    {
        var p = new SecretProtector(Key());
        var sealedText = p.ProtectString("secret", "totp:alice");
        Assert.ThrowsAny<CryptographicException>(() => p.UnprotectString(sealedText, "totp:mallory"));
    }

    [Fact]
    public void A_tampered_ciphertext_is_refused()
    {
        var p = new SecretProtector(Key());
        var bytes = p.Protect("secret"u8, "p");
        bytes[^1] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => p.Unprotect(bytes, "p"));
    }

    [Fact]
    public void A_secret_under_a_previous_key_is_still_read_after_rotation()
    {
        var oldKey = Key();
        var sealedText = new SecretProtector(oldKey).ProtectString("secret", "p");
        var rotated = new SecretProtector(Key(), [oldKey]);
        Assert.Equal("secret", rotated.UnprotectString(sealedText, "p"));
        Assert.False(rotated.IsCurrent(Convert.FromBase64String(sealedText)));
    }

    [Fact]
    public void A_secret_under_an_unknown_key_is_refused()
    {
        var sealedText = new SecretProtector(Key()).ProtectString("secret", "p");
        Assert.ThrowsAny<CryptographicException>(() => new SecretProtector(Key()).UnprotectString(sealedText, "p"));
    }

    [Fact]
    public void A_master_key_file_is_created_private_and_read_back()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mk-{Guid.NewGuid():N}", "master.key");
        try
        {
            var (key, created) = MasterKeyFile.Load(path, createIfMissing: true);
            Assert.True(created);
            Assert.Equal(32, key.Length);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(key, MasterKeyFile.Load(path, createIfMissing: false).Key);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, true);
        }
    }

    [Fact]
    public void A_master_key_file_of_the_wrong_size_is_a_clear_error()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, Convert.ToBase64String(new byte[16]));
        var e = Assert.Throws<InvalidDataException>(() => MasterKeyFile.Load(path, false));
        Assert.Contains("32 bytes", e.Message);
        File.Delete(path);
    }
}
