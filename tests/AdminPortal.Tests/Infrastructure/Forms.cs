using System.Text.RegularExpressions;

namespace AdminPortal.Tests.Infrastructure;

/// <summary>Submits the portal's server-rendered forms as a browser would: with the page's antiforgery token.</summary>
public static partial class Forms
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string url, string formName, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(url);
        var token = AntiforgeryField().Match(page);
        Assert.True(token.Success, $"No antiforgery token on {url}");
        var body = new Dictionary<string, string>(fields) { ["_handler"] = formName, ["__RequestVerificationToken"] = token.Groups[1].Value };
        return await client.PostAsync(url, new FormUrlEncodedContent(body));
    }
}
