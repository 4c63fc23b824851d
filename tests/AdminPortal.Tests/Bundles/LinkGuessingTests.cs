using System.Net;
using AdminPortal.Tests.Infrastructure;

namespace AdminPortal.Tests.Bundles;

/// <summary>Guessing link tokens from one address runs into 429 (with Retry-After) after the configured number of misses.</summary>
public sealed class LinkGuessingTests(PortalApp app) : IClassFixture<PortalApp>
{
    [Fact]
    public async Task Token_guessing_gets_429_after_ten_misses()
    {
        var client = app.CreateClient();
        for (var i = 0; i < 10; i++)
        {
            var guess = AdminPortal.Web.Security.SecretTokens.New();
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/d/{guess}")).StatusCode);
        }
        var limited = await client.GetAsync("/d/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        Assert.Equal((HttpStatusCode)429, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Contains("Too many", await limited.Content.ReadAsStringAsync());
    }
}
