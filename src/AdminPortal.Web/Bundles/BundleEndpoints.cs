using AdminPortal.Web.Api;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosting;
using AdminPortal.Web.Security;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Bundles;

public static class BundleEndpoints
{
    /// <summary>The header that carries an optional key passphrase for a bundle download (never a query parameter: URLs get logged).</summary>
    public const string PassphraseHeader = "X-Key-Passphrase";

    public static RouteGroupBuilder MapBundleEndpoints(this RouteGroupBuilder api)
    {
        var profiles = api.MapGroup("/vpn-profiles").WithTags("VPN profiles");
        profiles.MapPost("", async (CreateProfileRequest body, HttpContext http, VpnProfileService svc, CancellationToken ct) =>
                (await svc.CreateAsync(body, Actors.From(http), ct)).ToHttp(p => TypedResults.Created(Locations.Of("/api/v1/vpn-profiles", p.Name), p)))
            .RequireAuthorization(Permissions.VpnServersManage)
            .WithSummary("Creates a VPN profile and issues its server certificate and control-channel key. protocol: udp or tcp; optional remoteHosts, dataCiphers, serverNetwork, pushRoutes, pushDns, clientDirectives (allow-listed), controlChannel (tls-crypt, the default, or tls-crypt-v2: a client key per client profile).");
        profiles.MapGet("", async (VpnProfileService svc, CancellationToken ct) => TypedResults.Ok(await svc.ListAsync(ct)))
            .RequireAuthorization(Permissions.VpnUsersRead).WithSummary("The VPN profiles.");
        profiles.MapGet("/{name}/server-files", async (string name, HttpContext http, VpnProfileService svc, CancellationToken ct) =>
                (await svc.ServerFilesAsync(name, Actors.From(http), ct)).ToHttp(File))
            .RequireAuthorization(Permissions.VpnServersManage)
            .WithSummary("A zip with server.conf, ca.pem, server.crt, server.key, tls-crypt.key and crl.pem, to install a server by hand. Audited.");

        var users = api.MapGroup("/vpn-users/{name}").WithTags("Bundles");
        users.MapGet("/bundle", async (string name, string? profile, string? platform, HttpContext http, BundleDownloads svc, CancellationToken ct) =>
            {
                try { return (await svc.DownloadAsync(name, profile, platform, Passphrase(http), Actors.From(http), ct)).ToHttp(File); }
                // The client went away: it gets nothing, so this is no error (and not worth an exception log under load).
                catch (OperationCanceledException) when (ct.IsCancellationRequested) { return Results.Empty; }
            })
            .RequireAuthorization(Permissions.BundlesDeliver)
            .WithSummary($"The user's bundle for a profile: platform ovpn, windows, macos, linux, ios or android. An optional {PassphraseHeader} header encrypts the key (PKCS#8).");
        users.MapPost("/download-links", async (string name, CreateLinkRequest body, HttpContext http, DownloadLinks links, CancellationToken ct) =>
                (await links.CreateAsync(name, body, Actors.From(http), ct)).ToHttp(l => TypedResults.Created(l.Url, l)))
            .RequireAuthorization(Permissions.BundlesDeliver)
            .WithSummary("Creates a one-time download link (expiresInHours, default 24); email: true also sends it to the user's address.");
        users.MapGet("/download-links", async (string name, DownloadLinks links, CancellationToken ct) => TypedResults.Ok(await links.ListAsync(name, ct)))
            .RequireAuthorization(Permissions.BundlesDeliver).WithSummary("The user's download links and their status.");
        api.MapPost("/download-links/{id}/revoke", async (string id, HttpContext http, DownloadLinks links, CancellationToken ct) =>
                Guid.TryParse(id, out var linkId)
                    ? (await links.RevokeAsync(linkId, Actors.From(http), ct)).ToHttp(TypedResults.Ok)
                    : new NotFound("download link", id).ToProblem())
            .WithTags("Bundles").RequireAuthorization(Permissions.BundlesDeliver).WithSummary("Withdraws an unused download link.");
        return api;
    }

    /// <summary>The public one-time link: a page (does not use the link), its download (POST) and OpenVPN Connect's import.</summary>
    public static WebApplication MapDownloadLinks(this WebApplication app)
    {
        var d = app.MapGroup("/d").AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        d.MapGet("/{token}", async (string token, HttpContext http, DownloadLinks links, LinkGuard guard, HelpdeskContact helpdesk, IOptions<PortalOptions> portal, CancellationToken ct) =>
        {
            if (Limited(http, guard) is { } limited) return limited;
            var info = await links.InspectAsync(token, ct);
            return info.Ok ? Html(LinkPage.Ready(info.Value!, DownloadLinks.Url(portal.Value, token), await helpdesk.ResolveAsync(ct)), 200) : await FailureAsync(info.Error!, http, guard, helpdesk, ct);
        });
        d.MapPost("/{token}", async (string token, HttpContext http, DownloadLinks links, LinkGuard guard, HelpdeskContact helpdesk, IOptions<PortalOptions> portal, CancellationToken ct) =>
        {
            if (Limited(http, guard) is { } limited) return limited;
            var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
            var passphrase = form?["passphrase"].ToString() is { Length: > 0 } p ? p : null;
            var used = await links.UseAsync(token, profileOnly: false, passphrase, Address(http), ct);
            if (used.Ok) return File(used.Value!.File);
            if (used.Error is InvalidInput bad && await links.InspectAsync(token, ct) is { Ok: true } info)
                return Html(LinkPage.Ready(info.Value!, DownloadLinks.Url(portal.Value, token), await helpdesk.ResolveAsync(ct), bad.Message), 400);
            return await FailureAsync(used.Error!, http, guard, helpdesk, ct);
        });
        d.MapGet("/{token}/profile.ovpn", async (string token, HttpContext http, DownloadLinks links, LinkGuard guard, HelpdeskContact helpdesk, CancellationToken ct) =>
        {
            if (Limited(http, guard) is { } limited) return limited;
            var used = await links.UseAsync(token, profileOnly: true, null, Address(http), ct);
            return used.Ok ? File(used.Value!.File) : await FailureAsync(used.Error!, http, guard, helpdesk, ct);
        });
        return app;
    }

    internal static IResult File(BundleFile f) => new Download(f);

    internal static string? Passphrase(HttpContext http) => http.Request.Headers[PassphraseHeader].ToString() is { Length: > 0 } p ? p : null;


    private static string Address(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static NoStore? Limited(HttpContext http, LinkGuard guard)
    {
        if (guard.RetryAfter(Address(http)) is not { } seconds) return null;
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Html(LinkPage.TooMany(seconds), StatusCodes.Status429TooManyRequests);
    }

    private static async Task<IResult> FailureAsync(PortalError error, HttpContext http, LinkGuard guard, HelpdeskContact helpdesk, CancellationToken ct)
    {
        var contact = await helpdesk.ResolveAsync(ct);
        switch (error)
        {
            case NotFound:
                guard.Failed(Address(http));
                return Html(LinkPage.NotFound(contact), StatusCodes.Status404NotFound);
            case LinkGone gone:
                return Html(LinkPage.Gone(gone.Message, contact), StatusCodes.Status410Gone);
            default:
                return Html(LinkPage.Gone(error.Detail, contact), error.Status);
        }
    }

    private static NoStore Html(string html, int status) => new NoStore(Results.Content(html, "text/html; charset=utf-8", statusCode: status));

    /// <summary>
    /// A generated file as an attachment that no cache keeps: the headers TypedResults.File wrote (type, length,
    /// Content-Disposition with filename and filename*), plus Cache-Control: no-store, without its range and
    /// conditional-request machinery, which a file made for one request never uses.
    /// </summary>
    private sealed class Download(BundleFile f) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            var r = http.Response;
            r.Headers.CacheControl = "no-store";
            r.ContentType = f.ContentType;
            r.ContentLength = f.Content.Length;
            r.Headers.ContentDisposition = f.Disposition;
            return r.Body.WriteAsync(f.Content).AsTask();
        }
    }

    /// <summary>Keys and links must not sit in a cache.</summary>
    private sealed class NoStore(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.Headers.CacheControl = "no-store";
            return inner.ExecuteAsync(http);
        }
    }
}
