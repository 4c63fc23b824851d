using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Operators;
using AdminPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;

namespace AdminPortal.Tests.Security;

/// <summary>
/// A browser against the portal: one cookie jar shared by a client that follows redirects (as a person
/// clicking would) and one that does not (to see the 302 itself and the Set-Cookie headers).
/// </summary>
public sealed class CookieBrowser : IDisposable
{
    public CookieContainer Cookies { get; } = new();
    public HttpClient Follow { get; }
    public HttpClient NoFollow { get; }

    public CookieBrowser(PortalApp app)
    {
        Follow = app.CreateDefaultClient(new RedirectHandler(), new CookieContainerHandler(Cookies));
        NoFollow = app.CreateDefaultClient(new CookieContainerHandler(Cookies));
    }

    public Task<HttpResponseMessage> PasswordAsync(string email, string password) =>
        Forms.PostAsync(Follow, "/account/login", "login", new() { ["Form.Email"] = email, ["Form.Password"] = password });

    public Task<HttpResponseMessage> SecondFactorAsync(string code, bool recovery = false) =>
        Forms.PostAsync(Follow, recovery ? "/account/login-2fa?recovery=true&returnUrl=%2F" : "/account/login-2fa?returnUrl=%2F",
            "second-factor", new() { ["Form.Code"] = code });

    /// <summary>Password and TOTP through the real forms; asserts the dashboard opened.</summary>
    public async Task<CookieBrowser> LoginAsync(TestOperator op)
    {
        Assert.Equal("/account/login-2fa", PathOf(await PasswordAsync(op.Email, op.Password)));
        Assert.Equal("/", PathOf(await SecondFactorAsync(op.Code())));
        return this;
    }

    /// <summary>Where a followed request ended up.</summary>
    public static string PathOf(HttpResponseMessage response) => response.RequestMessage!.RequestUri!.AbsolutePath;

    public void Dispose()
    {
        Follow.Dispose();
        NoFollow.Dispose();
    }
}

public static class SecurityClients
{
    /// <summary>A six-digit code that Identity must refuse: none of the codes of the surrounding time steps.</summary>
    public static string WrongCode(TestOperator op)
    {
        var totp = new Totp(Base32Encoding.ToBytes(op.TotpSecret!));
        var window = Enumerable.Range(-4, 9).Select(i => totp.ComputeTotp(DateTime.UtcNow.AddSeconds(30 * i))).ToHashSet();
        var candidate = (int.Parse(op.Code()) + 500_000) % 1_000_000;
        while (window.Contains(candidate.ToString("D6"))) candidate = (candidate + 1) % 1_000_000;
        return candidate.ToString("D6");
    }

    /// <summary>Fresh recovery codes for an enrolled operator, made by Identity as enrolment makes them.</summary>
    public static async Task<IReadOnlyList<string>> RecoveryCodesAsync(this PortalApp app, TestOperator op)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Operator>>();
        var user = await users.FindByIdAsync(op.Id);
        return (await users.GenerateNewTwoFactorRecoveryCodesAsync(user!, 10))!.ToList();
    }

    /// <summary>The audit events about one target (e.g. <c>operator:a@b</c>), oldest first.</summary>
    public static async Task<List<AuditEvent>> AuditAboutAsync(this PortalApp app, string target)
    {
        await using var db = await app.DbAsync();
        return await db.AuditEvents.AsNoTracking().Where(e => e.Target == target).OrderBy(e => e.Sequence).ToListAsync();
    }

    public static async Task<List<string>> AuditActionsAboutAsync(this PortalApp app, string target) =>
        (await app.AuditAboutAsync(target)).Select(e => e.Action).ToList();

    /// <summary>Row counts of everything an API call could write (audit events of the scheduled checkpoint job aside).</summary>
    public static async Task<(int Audit, int Operators, int Tokens, int Links, int Roles)> RowCountsAsync(this PortalApp app)
    {
        await using var db = await app.DbAsync();
        // Refusals are recorded (access.denied) but change nothing, so they are not counted here.
        return (await db.AuditEvents.CountAsync(e => e.Actor != AuditActor.System.Name && e.Action != "access.denied"), await db.Users.CountAsync(), await db.ApiTokens.CountAsync(),
            await db.SetupLinks.CountAsync(), await db.UserRoles.CountAsync());
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    /// <summary>Asserts an RFC 9457 problem response with this status and returns its body.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)status, json.GetProperty("status").GetInt32());
        return json;
    }

    /// <summary>The antiforgery token a page carries in its forms.</summary>
    public static async Task<string> AntiforgeryTokenAsync(HttpClient client, string url)
    {
        var match = System.Text.RegularExpressions.Regex.Match(await client.GetStringAsync(url), "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"");
        Assert.True(match.Success, $"No antiforgery token on {url}");
        return match.Groups[1].Value;
    }

    public static HttpContent Json(string text) => Raw(System.Text.Encoding.UTF8.GetBytes(text));

    public static HttpContent Raw(byte[] bytes, string mediaType = "application/json")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }
}
