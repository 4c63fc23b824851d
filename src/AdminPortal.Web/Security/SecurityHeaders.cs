namespace AdminPortal.Web.Security;

public static class SecurityHeaders
{
    private const string Csp =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; frame-src 'none'; worker-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    // The API reference page (Scalar) runs an inline bootstrap script of its own.
    private const string ReferenceCsp =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

    /// <summary>
    /// An API response (JSON, problem+json, a file) is never a document that loads anything: it may load nothing
    /// and be framed by nothing (OWASP's REST security headers). Referrer-Policy, Permissions-Policy and
    /// Cross-Origin-Opener-Policy govern documents and are not sent with it.
    /// </summary>
    public const string ApiCsp = "default-src 'none'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((ctx, next) =>
    {
        var h = ctx.Response.Headers;
        h.XContentTypeOptions = "nosniff";
        h.XFrameOptions = "DENY";
        var path = ctx.Request.Path;
        var reference = path.StartsWithSegments("/api/reference");
        if (!reference && path.StartsWithSegments("/api")) h.ContentSecurityPolicy = ApiCsp;
        else
        {
            h["Referrer-Policy"] = "no-referrer";
            h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            h["Cross-Origin-Opener-Policy"] = "same-origin";
            h.ContentSecurityPolicy = reference ? ReferenceCsp : Csp;
        }
        // Only over HTTPS (directly or through the trusted proxy): plain HTTP on 127.0.0.1 must stay usable.
        if (ctx.Request.IsHttps) h.StrictTransportSecurity = "max-age=31536000";
        return next(ctx);
    });
}
