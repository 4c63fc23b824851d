using AdminPortal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Bundles;

/// <summary>Whom end users call: the contact set in Settings (with SMTP) when there is one, else <c>Bundles:HelpdeskContact</c>.</summary>
public sealed class HelpdeskContact(IDbContextFactory<PortalDbContext> dbs, IOptions<BundleOptions> options, TimeProvider time)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private (string Value, DateTimeOffset At)? _cached;

    /// <summary>For the hot download path: at most 30 seconds old (a changed contact shows in new bundles within that).</summary>
    public async Task<string> CachedAsync(CancellationToken ct)
    {
        if (_cached is { } c && time.GetUtcNow() - c.At < CacheFor) return c.Value;
        var value = await ResolveAsync(ct);
        _cached = (value, time.GetUtcNow());
        return value;
    }

    public async Task<string> ResolveAsync(PortalDbContext db, CancellationToken ct) =>
        await db.SmtpSettings.AsNoTracking().Select(s => s.HelpdeskContact).FirstOrDefaultAsync(ct) is { Length: > 0 } set ? set : options.Value.HelpdeskContact;

    public async Task<string> ResolveAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await ResolveAsync(db, ct);
    }
}
