using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using OtpNet;

namespace AdminPortal.Load;

/// <summary>An operator made for the run: signed up through the setup link and enrolled, with the session of a real login.</summary>
public sealed record LoadOperator(string Email, string Password, string Role, string TotpSecret, CookieContainer Session);

/// <summary>The portal's API (Admin token) and its server-rendered account pages, used the way a browser posts them.</summary>
public sealed partial class PortalClient(Uri portal, string adminToken)
{
    public const string Password = "load circuits correct horse";

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("data-testid=\"totp-key\">([^<]+)<")]
    private static partial Regex TotpKey();

    public Uri Portal { get; } = portal;

    public HttpClient Api()
    {
        var c = new HttpClient { BaseAddress = Portal, Timeout = TimeSpan.FromSeconds(60) };
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        return c;
    }

    public HttpClient Browser(CookieContainer cookies) =>
        new(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = true }) { BaseAddress = Portal, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>A CA and <paramref name="count"/> VPN users with a certificate each, through the API.</summary>
    public async Task SeedVpnUsersAsync(int count, int parallel, CancellationToken ct)
    {
        using var api = Api();
        await Ok(await api.PostAsJsonAsync("/api/v1/ca", new { name = "Load-CA" }, ct), "create the CA");
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, async (i, c) =>
            await Ok(await api.PostAsJsonAsync("/api/v1/vpn-users", new { name = UserName(i), email = $"{UserName(i)}@example.test" }, c), $"issue {UserName(i)}"));
    }

    public static string UserName(int i) => $"load-user-{i:0000}";

    /// <summary>Invite (API), setup link (password), enrolment (TOTP), then a fresh login: password and code.</summary>
    public async Task<LoadOperator> CreateOperatorAsync(string email, string role, CancellationToken ct)
    {
        using var api = Api();
        var invite = await api.PostAsJsonAsync("/api/v1/operators", new { email, displayName = email.Split('@')[0], role }, ct);
        await Ok(invite, $"invite {email}");
        var link = new Uri((await invite.Content.ReadFromJsonAsync<InvitationBody>(ct))!.SetupLink);

        var setupCookies = new CookieContainer();
        using (var setup = Browser(setupCookies))
        {
            var enrol = await PostFormAsync(setup, link.PathAndQuery, "setup", new() { ["Form.Password"] = Password, ["Form.Confirm"] = Password }, ct);
            var page = await enrol.Content.ReadAsStringAsync(ct);
            var key = TotpKey().Match(page);
            if (!key.Success) throw new InvalidOperationException($"{email}: no TOTP key on {enrol.RequestMessage!.RequestUri} ({(int)enrol.StatusCode})");
            var secret = key.Groups[1].Value.Replace(" ", "");
            var done = await PostFormAsync(setup, "/account/enrol", "enrol", new() { ["Form.Code"] = Code(secret, 0) }, ct);
            if (!(await done.Content.ReadAsStringAsync(ct)).Contains("recovery-codes")) throw new InvalidOperationException($"{email}: enrolment refused the code");
            return new LoadOperator(email, Password, role, secret, await LoginAsync(email, secret, ct));
        }
    }

    /// <summary>The real sign-in pages: password, then the TOTP code. The cookie jar holds the full session.</summary>
    public async Task<CookieContainer> LoginAsync(string email, string secret, CancellationToken ct)
    {
        var cookies = new CookieContainer();
        using var browser = Browser(cookies);
        var second = await PostFormAsync(browser, "/account/login", "login", new() { ["Form.Email"] = email, ["Form.Password"] = Password }, ct);
        var at = second.RequestMessage!.RequestUri!;
        if (!at.AbsolutePath.StartsWith("/account/login-2fa", StringComparison.Ordinal)) throw new InvalidOperationException($"{email}: password step ended on {at} ({(int)second.StatusCode})");
        // The enrolment just used this time step's code; a code is accepted once, so the next step's (within the allowed drift).
        var done = await PostFormAsync(browser, at.PathAndQuery, "second-factor", new() { ["Form.Code"] = Code(secret, 1) }, ct);
        if (done.RequestMessage!.RequestUri!.AbsolutePath != "/") throw new InvalidOperationException($"{email}: second factor ended on {done.RequestMessage.RequestUri} ({(int)done.StatusCode})");
        return cookies;
    }

    private static string Code(string secret, int stepsAhead) =>
        new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UtcNow.AddSeconds(30 * stepsAhead));

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string url, string form, Dictionary<string, string> fields, CancellationToken ct)
    {
        var page = await client.GetStringAsync(url, ct);
        var token = AntiforgeryField().Match(page);
        if (!token.Success) throw new InvalidOperationException($"no antiforgery token on {url}");
        var body = new Dictionary<string, string>(fields) { ["_handler"] = form, ["__RequestVerificationToken"] = token.Groups[1].Value };
        var response = await client.PostAsync(url, new FormUrlEncodedContent(body), ct);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {url} ({form}): {(int)response.StatusCode}");
        return response;
    }

    private static async Task Ok(HttpResponseMessage r, string what)
    {
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"{what}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }

    private sealed record InvitationBody(string SetupLink);
}
