using AdminPortal.Web.Security;
using AdminPortal.Web.Tokens;

namespace AdminPortal.Web.Bundles;

/// <summary>
/// The hottest request of the API, a bundle fetched with an API token (helpdesk tools and provisioning scripts
/// fetch them in bulk), answered before the general pipeline: the same token check, the same permission, the
/// same <see cref="BundleDownloads"/> with its audited group commit and the same response, without the
/// per-request cost of endpoint routing, the authentication and authorization middlewares, request logging and
/// parameter binding. It only ever answers a success: anything else (no or unknown token, a role without
/// bundles.deliver, a cookie, an unknown user or profile, a bad platform) has had no effect yet and goes on to
/// the general pipeline, which answers it exactly as before (401, 403 with its audit event, problem+json).
/// </summary>
public static class BundleFastPath
{
    private const string Prefix = "/api/v1/vpn-users/";
    private const string Suffix = "/bundle";

    /// <summary>After forwarding, the exception handler and the security headers; before everything else.</summary>
    public static IApplicationBuilder UseBundleFastPath(this IApplicationBuilder app)
    {
        // Singletons, taken once: a download then never creates (and disposes) a request scope of its own.
        var tokens = app.ApplicationServices.GetRequiredService<ApiTokenService>();
        var downloads = app.ApplicationServices.GetRequiredService<BundleDownloads>();
        return app.Use(async (ctx, next) =>
        {
            if (!HttpMethods.IsGet(ctx.Request.Method) || UserName(ctx.Request.Path.Value) is not { } name || !await TryServeAsync(ctx, name, tokens, downloads))
                await next(ctx);
        });
    }

    /// <summary>The {name} of /api/v1/vpn-users/{name}/bundle, or null for any other path.</summary>
    public static string? UserName(string? path)
    {
        if (path is null || path.Length <= Prefix.Length + Suffix.Length
            || !path.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || !path.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase)) return null;
        var name = path[Prefix.Length..^Suffix.Length];
        return name.Contains('/') ? null : name;
    }

    private static async Task<bool> TryServeAsync(HttpContext ctx, string name, ApiTokenService tokens, BundleDownloads downloads)
    {
        if (ApiTokenAuthenticationHandler.BearerSecret(ctx.Request.Headers.Authorization) is not { } secret) return false;
        var query = ctx.Request.Query;
        if (query["profile"].Count > 1 || query["platform"].Count > 1) return false;
        var ct = ctx.RequestAborted;
        var token = await tokens.AuthenticateAsync(secret, ct);
        if (token is null || !Permissions.Allows(Permissions.BundlesDeliver, token.Role)) return false;
        ctx.User = ApiTokenAuthenticationHandler.Principal(token);
        try
        {
            var bundle = await downloads.DownloadAsync(
                name, query["profile"].ToString() is { Length: > 0 } p ? p : null, query["platform"].ToString() is { Length: > 0 } f ? f : null,
                BundleEndpoints.Passphrase(ctx), Actors.From(ctx), ct);
            if (!bundle.Ok) return false;
            await BundleEndpoints.File(bundle.Value!).ExecuteAsync(ctx);
        }
        // The client went away: it gets nothing, as on the endpoint.
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        return true;
    }
}
