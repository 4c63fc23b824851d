using AdminPortal.Pki;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.Mail.Backends;

namespace AdminPortal.Tests.Mail;

/// <summary>SHA512-CRYPT against glibc's published vectors and OpenSSL; the aox adapter's exact arguments (no aox to run here).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MailBackendTests
{
    // From Ulrich Drepper's specification "Unix crypt using SHA-256 and SHA-512" (the vectors glibc tests).
    [Theory]
    [InlineData("Hello world!", "saltstring", null, "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1")]
    [InlineData("Hello world!", "saltstringsaltstring", 10000, "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.")]
    [InlineData("This is just a test", "toolongsaltstring", 5000, "$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0")]
    [InlineData("we have a short salt string but not a short password", "short", 77777, "$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0")]
    [InlineData("a short string", "asaltof16chars..", 123456, "$6$rounds=123456$asaltof16chars..$BtCwjqMJGx5hrJhZywWvt0RLE8uZ4oPwcelCjmw2kSYu.Ec6ycULevoBK25fs2xXgMNrCzIMVcgEJAstJeonj1")]
    [InlineData("the minimum number is still observed", "roundstoolow", 10, "$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.")]
    public void Sha512_crypt_matches_the_published_vectors(string password, string salt, int? rounds, string expected)
    {
        Assert.Equal(expected, Sha512Crypt.Hash(password, salt, rounds));
        Assert.True(Sha512Crypt.Verify(password, expected));
        Assert.False(Sha512Crypt.Verify(password + "x", expected));
    }

    [Fact]
    public async Task Sha512_crypt_agrees_with_openssl_for_random_passwords_including_non_ascii()
    {
        foreach (var password in (string[])["Ünïcødé pässwörd ✓", "p:a$s`w'o\"rd;|&", new string('x', 200), AdminPortal.Web.Mail.MailboxService.Generate()])
        {
            var hash = Sha512Crypt.Hash(password);
            var salt = hash.Split('$')[2];
            var openssl = (await Proc.CheckedAsync("openssl", ["passwd", "-6", "-salt", salt, password], timeout: TimeSpan.FromSeconds(20))).Trim();
            Assert.Equal(openssl, hash);
        }
    }

    [Fact]
    public void Aox_commands_are_exactly_these_arguments()
    {
        Assert.Equal(["aox", "add", "user", "ann@example.test", "it's $(secret)", "ann@example.test"],
            AoxBackend.AddUser("aox", "ann@example.test", "it's $(secret)"));
        Assert.Equal(["/usr/local/bin/aox", "change", "password", "ann@example.test", "n3w;pass`x`"],
            AoxBackend.ChangePassword("/usr/local/bin/aox", "ann@example.test", "n3w;pass`x`"));
        Assert.Equal(["aox", "delete", "user", "ann@example.test"], AoxBackend.DeleteUser("aox", "ann@example.test"));
        Assert.Equal(["aox", "list", "users"], AoxBackend.ListUsers("aox"));
    }

    [Theory]
    [InlineData("it's $(touch /tmp/adminportal-aox-canary) `id` ; | & \\ \" *")]
    [InlineData("--help")]
    [InlineData("-p")]
    public async Task Aox_arguments_reach_the_command_literally_through_its_host_script(string password)
    {
        // A stand-in for aox prints its arguments, so only the way they reach it is checked, not aox.
        var dir = Directory.CreateTempSubdirectory("ap-aox-").FullName;
        try
        {
            var aox = Path.Combine(dir, "aox");
            await File.WriteAllTextAsync(aox, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
            File.SetUnixFileMode(aox, (UnixFileMode)0b111_101_101);
            var args = AoxBackend.AddUser(aox, "ann@example.test", password);
            var printed = await Proc.CheckedAsync("sh", ["-c", AdminPortal.Web.Remote.HostScript.Load("mail/aox").Text, "adminportal-mail-aox", .. args]);
            Assert.Equal(["add", "user", "ann@example.test", password, "ann@example.test"], printed.TrimEnd('\n').Split('\n'));
            Assert.False(File.Exists("/tmp/adminportal-aox-canary"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
