using AdminPortal.Data.Audit;

namespace AdminPortal.Tests.Audit;

public sealed class AuditEntryTests
{
    private static readonly AuditActor Actor = new("entry-tester", "Admin", null);

    public static TheoryData<string, object> Secrets => new()
    {
        { "a password", new { password = "hunter2" } },
        { "a secret", new { Secret = "s" } },
        { "a token", new Dictionary<string, string> { ["Token"] = "ap_x" } },
        { "a private key", new { privateKey = "-----BEGIN" } },
        { "recovery codes nested in an array", new { changes = new[] { new { recoveryCode = "123" } } } },
        { "an API token with a prefix", new { apiToken = "ap_x" } },
        { "a snake_case client secret", new Dictionary<string, string> { ["client_secret"] = "s" } },
        { "a new password", new { newPassword = "p" } },
        { "an SMTP password nested deeply", new { mail = new { smtp = new { smtpPassword = "p" } } } },
    };

    [Theory]
    [MemberData(nameof(Secrets))]
    public void Details_that_carry_a_secret_are_refused(string what, object details)
    {
        var entry = new AuditEntry(Actor, "test.secret", "target", details);
        var e = Assert.Throws<InvalidOperationException>(entry.DetailsJson);
        Assert.Contains("secret", e.Message);
        Assert.False(string.IsNullOrEmpty(what));
    }

    [Fact]
    public void Ordinary_details_are_serialized_as_camel_case_json()
    {
        var entry = new AuditEntry(Actor, "token.created", "token:ci", new { Role = "Auditor", TokenName = "ci", KeyId = "abc", Serial = 7 });
        Assert.Equal("""{"role":"Auditor","tokenName":"ci","keyId":"abc","serial":7}""", entry.DetailsJson());
        Assert.Equal("{}", new AuditEntry(Actor, "x", "y").DetailsJson());
    }
}
