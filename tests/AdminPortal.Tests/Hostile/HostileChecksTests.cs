using Xunit.Sdk;

namespace AdminPortal.Tests.Hostile;

/// <summary>The escape check itself: it must fail on markup rendered from input, or the corpus's markup cases prove nothing.</summary>
public sealed class HostileChecksTests
{
    private const string Payload = "<img src=x onerror=alert('m-1')>";

    [Theory]
    [InlineData("<p><img src=x onerror=alert('m-1')></p>")]
    [InlineData("<p>\"><svg onload=alert('m-1')></p>")]
    [InlineData("<a href=\"javascript:alert('m-1')\">x</a>")]
    [InlineData("<input value=\"\"><script>alert('m-1')</script>\">")]
    public void Rendered_markup_fails_the_check(string html) =>
        Assert.ThrowsAny<XunitException>(() => HostileChecks.AssertEscaped(html, Payload, "m-1", "test"));

    [Fact]
    public void Encoded_text_and_form_values_pass_and_a_missing_payload_fails()
    {
        HostileChecks.AssertEscaped("<p>&lt;img src=x onerror=alert(&#x27;m-1&#x27;)&gt;</p>", Payload, "m-1", "text");
        HostileChecks.AssertEscaped("<input value=\"&lt;img src=x onerror=alert('m-1')&gt;\">", Payload, "m-1", "value");
        Assert.ThrowsAny<XunitException>(() => HostileChecks.AssertEscaped("<p>nothing here</p>", Payload, "m-1", "absent"));
    }
}
