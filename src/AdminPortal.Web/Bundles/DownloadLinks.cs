using System.Text.RegularExpressions;
using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Bundles;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Email;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosting;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Bundles;

public sealed record LinkGone(string Message) : PortalError("This link no longer works", Message, StatusCodes.Status410Gone);

public sealed record CreateLinkRequest(string? Profile, string? Platform, int? ExpiresInHours, bool Email = false);

public sealed record LinkCreated(Guid Id, string Url, DateTimeOffset ExpiresAt, string? EmailedTo);

public sealed record LinkView(Guid Id, string UserName, string Profile, string Platform, DateTimeOffset CreatedAt, string CreatedBy,
    DateTimeOffset ExpiresAt, string Status, DateTimeOffset? UsedAt, string? UsedFrom, string? EmailedTo);

/// <summary>What the public link page may show about a link: nothing secret, nothing about other users.</summary>
public sealed record LinkPageInfo(string UserName, string Profile, string Platform, DateTimeOffset ExpiresAt);

/// <summary>
/// One-time download links: 256 random bits, only their SHA-256 stored, bound to user, profile and platform,
/// expiring, single use (claimed under a row lock in the same transaction as its audit event), revocable.
/// </summary>
public sealed partial class DownloadLinks(AuditedWork work, IDbContextFactory<PortalDbContext> dbs, BundleBuilder builder, HelpdeskContact helpdesk,
    IOptions<BundleOptions> options, IOptions<PortalOptions> portal, TimeProvider time)
{
    [GeneratedRegex(@"\A[A-Za-z0-9_-]{43}\z", InputText.Linear)]
    private static partial Regex TokenShape();

    public static bool IsWellFormed(string? token) => token is not null && TokenShape().IsMatch(token);

    /// <summary>Links are built from the configured public address, never from a request's Host header (they are emailed).</summary>
    public static string Url(PortalOptions portal, string token) => $"{portal.PublicUrl.TrimEnd('/')}/d/{token}";

    public static byte[] Hash(string token) => SecretTokens.Hash(token);

    /// <summary>
    /// Creates a link (and queues its email when asked); <paramref name="alsoInTransaction"/> (the onboarding wizard's email
    /// and step record) runs in the same transaction with the link and its URL, before the link's audit event is written.
    /// </summary>
    public async Task<Result<LinkCreated>> CreateAsync(string userName, CreateLinkRequest request, AuditActor actor, CancellationToken ct,
        Func<PortalDbContext, DownloadLink, string, CancellationToken, Task>? alsoInTransaction = null)
    {
        var max = options.Value.MaxLinkLifetimeHours;
        if (request.ExpiresInHours is { } h && (h < 1 || h > max))
            return new InvalidInput("expiresInHours", $"expiresInHours must be between 1 and {max}.");
        if (!PlatformBundles.IsPlatform(request.Platform))
            return new InvalidInput("platform", $"platform must be one of {string.Join(", ", PlatformBundles.Platforms)}.");
        return await work.RunAsync<Result<LinkCreated>>(async (_, db, c) =>
        {
            var found = await BundleBuilder.FindAsync(db, userName, request.Profile, c);
            if (!found.Ok) return (found.Error!, null);
            var (user, profile) = found.Value;
            // The link must lead somewhere: an active certificate whose key the portal holds.
            var cert = await BundleMaterial.ActiveAsync(db, user.Id, c);
            if (cert is null) return (BundleBuilder.NoCertificate(user.Name), null);
            if (cert.EncryptedKey is null) return (BundleBuilder.NoKey(user.Name), null);
            if (request.Email && EmailOutbox.CheckAddress(user.Email, "email") is { } noAddress)
                return (string.IsNullOrEmpty(user.Email) ? new InvalidInput("email", $"'{user.Name}' has no email address to send the link to.") : noAddress, null);
            var token = SecretTokens.New();
            var now = time.GetUtcNow();
            var link = new DownloadLink
            {
                Id = Guid.NewGuid(), TokenHash = Hash(token), VpnUserId = user.Id, ProfileId = profile.Id, Platform = request.Platform!,
                CreatedAt = now, CreatedBy = actor.Name, ExpiresAt = now.AddHours(request.ExpiresInHours ?? options.Value.LinkLifetimeHours),
                EmailedTo = request.Email ? user.Email : null,
            };
            db.DownloadLinks.Add(link);
            var url = Url(portal.Value, token);
            if (request.Email)
                EmailOutbox.Enqueue(db, DownloadLinkEmail.Create(user.Name, user.Email, profile.Name, PlatformBundles.Label(link.Platform), url, link.ExpiresAt,
                    await helpdesk.ResolveAsync(db, c), cert.Serial) with
                { CreatedBy = actor.Name }, now);
            if (alsoInTransaction is not null) await alsoInTransaction(db, link, url, c);
            return (new LinkCreated(link.Id, url, link.ExpiresAt, link.EmailedTo), new AuditEntry(actor, "bundle.link.created", $"vpn-user:{user.Name}",
                new { linkId = link.Id, serial = cert.Serial, profile = profile.Name, platform = link.Platform, expiresAt = link.ExpiresAt, emailedTo = link.EmailedTo }));
        }, ct);
    }

    /// <summary>The link page's view of a token; does not use it up.</summary>
    public async Task<Result<LinkPageInfo>> InspectAsync(string token, CancellationToken ct)
    {
        if (!IsWellFormed(token)) return new NotFound("download link", "this one");
        await using var db = await dbs.CreateDbContextAsync(ct);
        var link = await db.DownloadLinks.AsNoTracking().Include(l => l.VpnUser).Include(l => l.Profile)
            .FirstOrDefaultAsync(l => l.TokenHash == Hash(token), ct);
        if (link is null) return new NotFound("download link", "this one");
        if (Gone(link) is { } gone) return gone;
        return new LinkPageInfo(link.VpnUser!.Name, link.Profile!.Name, link.Platform, link.ExpiresAt);
    }

    /// <summary>Uses the link up and returns its bundle (or just the .ovpn, for OpenVPN Connect's import).</summary>
    public async Task<Result<BuiltBundle>> UseAsync(string token, bool profileOnly, string? passphrase, string? clientAddress, CancellationToken ct)
    {
        if (!IsWellFormed(token)) return new NotFound("download link", "this one");
        if (BundleBuilder.CheckPassphrase(passphrase) is { } bad) return bad;
        return await work.RunAsync<Result<BuiltBundle>>(async (_, db, c) =>
        {
            var hash = Hash(token);
            var link = await db.DownloadLinks.FromSql($"""SELECT * FROM download_links WHERE "TokenHash" = {hash} FOR UPDATE""").FirstOrDefaultAsync(c);
            if (link is null) return (new NotFound("download link", "this one"), null);
            if (Gone(link) is { } gone) return (gone, null);
            var user = await db.VpnUsers.AsNoTracking().SingleAsync(u => u.Id == link.VpnUserId, c);
            var profile = await db.VpnProfiles.AsNoTracking().SingleAsync(p => p.Id == link.ProfileId, c);
            var built = await builder.BuildAsync(db, user, profile, profileOnly ? "ovpn" : link.Platform, passphrase, c);
            if (!built.Ok) return (built.Error!, null);
            link.UsedAt = time.GetUtcNow();
            link.UsedFrom = clientAddress;
            link.UsedSerial = built.Value!.Serial;
            var actor = new AuditActor($"link:{link.Id}", "Public", clientAddress);
            return (built.Value, new AuditEntry(actor, "bundle.link.used", $"vpn-user:{user.Name}",
                new { linkId = link.Id, serial = link.UsedSerial, profile = profile.Name, platform = built.Value.Platform, clientAddress, keyEncrypted = passphrase is not null }));
        }, ct);
    }

    public async Task<Result<LinkView>> RevokeAsync(Guid id, AuditActor actor, CancellationToken ct) =>
        await work.RunAsync<Result<LinkView>>(async (_, db, c) =>
        {
            var link = await db.DownloadLinks.Include(l => l.VpnUser).Include(l => l.Profile).FirstOrDefaultAsync(l => l.Id == id, c);
            if (link is null) return (new NotFound("download link", id.ToString()), null);
            if (link.UsedAt is not null || link.RevokedAt is not null)
                return (new Conflict(link.UsedAt is not null ? "This link was already used." : "This link was already revoked."), null);
            link.RevokedAt = time.GetUtcNow();
            link.RevokedBy = actor.Name;
            return (View(link), new AuditEntry(actor, "bundle.link.revoked", $"vpn-user:{link.VpnUser!.Name}", new { linkId = link.Id, profile = link.Profile!.Name }));
        }, ct);

    public async Task<IReadOnlyList<LinkView>> ListAsync(string userName, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return (await db.DownloadLinks.AsNoTracking().Include(l => l.VpnUser).Include(l => l.Profile)
                .Where(l => l.VpnUser!.Name == userName).OrderByDescending(l => l.CreatedAt).Take(100).ToListAsync(ct))
            .Select(View).ToList();
    }

    private LinkView View(DownloadLink l) => new(l.Id, l.VpnUser!.Name, l.Profile!.Name, l.Platform, l.CreatedAt, l.CreatedBy,
        l.ExpiresAt, Status(l), l.UsedAt, l.UsedFrom, l.EmailedTo);

    private string Status(DownloadLink l) =>
        l.UsedAt is not null ? "used" : l.RevokedAt is not null ? "revoked" : l.ExpiresAt <= time.GetUtcNow() ? "expired" : "active";

    private LinkGone? Gone(DownloadLink l) => Status(l) switch
    {
        "used" => new LinkGone("This link was already used. Each download link works once: ask your helpdesk for a new one."),
        "revoked" => new LinkGone("This link was withdrawn by the helpdesk. Ask them for a new one."),
        "expired" => new LinkGone("This link has expired. Ask your helpdesk for a new one."),
        _ => null,
    };

}
