namespace AdminPortal.Tests.SecretsScan;

/// <summary>The scanner itself (part of the normal suite): it finds what it must, so the scan after the suite can fail.</summary>
public sealed class SecretScannerTests
{
    private static readonly string Token = new('x', 43);

    public static TheoryData<string, string> Leaks => new()
    {
        { "a recorded password", "login failed for bob with hunter2-but-longer" },
        { "a private key", "key: -----BEGIN RSA PRIVATE KEY-----\nMIIB" },
        { "a PKCS#8 private key", "-----BEGIN ENCRYPTED PRIVATE KEY-----" },
        { "an API token", $"Authorization: Bearer ap_{Token}" },
        { "a download link", $"GET http://portal/d/{Token} 200" },
        { "a setup link", $"invite /account/setup/{Token}?x=1" },
        { "a TOTP key URI", "otpauth://totp/Portal:a@b?secret=JBSWY3DPEHPK3PXP&issuer=Portal" },
    };

    [Theory]
    [MemberData(nameof(Leaks))]
    public void The_scanner_finds(string what, string text)
    {
        var scanner = new SecretScanner([("operator password", "hunter2-but-longer"), ("TOTP secret", "1234567")]);

        var finding = Assert.Single(scanner.Scan("app.log", "first line\n" + text + "\nlast line"));

        Assert.True(finding.Line == 2, what);
        Assert.DoesNotContain("hunter2-but-longer", finding.ToString());
    }

    [Fact]
    public void The_scanner_passes_redacted_and_harmless_text()
    {
        var scanner = new SecretScanner([("operator password", "hunter2-but-longer"), ("TOTP secret", "1234567")]);
        const string text = "GET /account/setup/*** 200\ntoken prefix ap_AbCdEfG created\ncode 1234567 refused\n-----BEGIN CERTIFICATE-----";

        Assert.Empty(scanner.Scan("app.log", text));
    }
}
