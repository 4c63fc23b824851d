using System.Security.Claims;
using System.Text.Encodings.Web;
using AdminPortal.Web.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Tokens;

/// <summary>Authenticates <c>Authorization: Bearer ap_...</c> against the stored token hashes.</summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiTokenService tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerSecret(Request.Headers.Authorization) is not { } secret) return AuthenticateResult.NoResult();
        var token = await tokens.AuthenticateAsync(secret, Context.RequestAborted);
        if (token is null) return AuthenticateResult.Fail("The API token is unknown or revoked.");
        return AuthenticateResult.Success(new AuthenticationTicket(Principal(token), SchemeName));
    }

    /// <summary>The secret of an <c>Authorization: Bearer ...</c> header, or null for any other header.</summary>
    public static string? BearerSecret(string? header) =>
        header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;

    /// <summary>Who a token's requests are made by (also for the bundle fast path, which authenticates by itself).</summary>
    public static ClaimsPrincipal Principal(ApiTokenInfo token) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, $"token:{token.Name}"), new Claim(ClaimTypes.Role, token.Role)],
        Actors.TokenAuthType, ClaimTypes.Name, ClaimTypes.Role));

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}
