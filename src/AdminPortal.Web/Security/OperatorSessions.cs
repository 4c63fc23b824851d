using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using AdminPortal.Data;
using AdminPortal.Web.Tokens;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Security;

public sealed class OperatorSessionOptions
{
    public const string Section = "Portal:Sessions";

    /// <summary>A session unused for this long ends (the cookie's sliding expiry).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")] public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(8);

    /// <summary>A session ends this long after its sign-in, however often it was used and renewed.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")] public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromHours(12);
}

/// <summary>
/// The server side of the cookie sessions. A sign-in records a session (a row in Identity's user-token table: the
/// SHA-256 of a random id, and when it began) and puts its id in the cookie; every request and every circuit
/// revalidation checks that the row is still there and the session younger than its absolute lifetime. Signing out
/// deletes the row, so every copy of the cookie is refused from then on, on every instance (<see cref="SessionCache"/>
/// keeps the check free of queries for known sessions, and is cleared everywhere before a sign-out is reported done).
/// </summary>
public sealed class OperatorSessions(IDbContextFactory<PortalDbContext> dbs, SessionCache cache, ApiTokenInvalidation invalidation,
    IOptions<OperatorSessionOptions> options, TimeProvider time)
{
    /// <summary>The claim that carries the session id in the cookie.</summary>
    public const string ClaimType = "ap_sid";

    /// <summary>The user-token "provider" of session rows (Identity's own rows use "[AspNetUserStore]").</summary>
    public const string Provider = "AdminPortal:Session";

    /// <summary>Records a new session of <paramref name="userId"/> in <paramref name="db"/> (saved, in the caller's transaction if any) and returns its id.</summary>
    public async Task<string> StartAsync(PortalDbContext db, string userId, ClaimsPrincipal? replacing, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var cutoff = now - options.Value.AbsoluteLifetime;
        var mine = await db.UserTokens.Where(t => t.UserId == userId && t.LoginProvider == Provider).ToListAsync(ct);
        // Sessions past their lifetime go, and so does the one this sign-in replaces (enrolment, a second sign-in in the same browser).
        var replaced = Key(replacing);
        var gone = mine.Where(t => Started(t.Value) <= cutoff || t.Name == replaced).ToList();
        db.UserTokens.RemoveRange(gone);
        if (gone.Any(t => t.Name == replaced)) await ApiTokenInvalidation.NotifyAsync(db, SessionCache.ChannelName, "", ct);
        var id = Base64Url(RandomNumberGenerator.GetBytes(32));
        db.UserTokens.Add(new IdentityUserToken<string>
        {
            UserId = userId, LoginProvider = Provider, Name = Hash(id), Value = now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        });
        await db.SaveChangesAsync(ct);
        return id;
    }

    /// <summary>
    /// Ends the principal's session in <paramref name="db"/>'s transaction (every instance forgets it when that commits);
    /// after the commit, <see cref="ConfirmEndedAsync"/> waits until they have. False when there was no session to end.
    /// </summary>
    public async Task<bool> EndAsync(PortalDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        if (UserId(user) is not { } userId || Key(user) is not { } key) return false;
        var ended = await db.UserTokens.Where(t => t.UserId == userId && t.LoginProvider == Provider && t.Name == key).ExecuteDeleteAsync(ct);
        await ApiTokenInvalidation.NotifyAsync(db, SessionCache.ChannelName, "", ct);
        return ended > 0;
    }

    /// <summary>Returns once every listening instance has forgotten the sessions ended so far.</summary>
    public Task ConfirmEndedAsync(CancellationToken ct) => invalidation.ConfirmAsync(ct);

    /// <summary>Whether the principal's session was not signed out and is within its absolute lifetime.</summary>
    public async Task<bool> IsLiveAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        if (UserId(user) is not { } userId || Key(user) is not { } key) return false;
        var started = cache.Find(key);
        if (started is null)
        {
            var epoch = cache.Epoch;
            await using var db = await dbs.CreateDbContextAsync(ct);
            var value = await db.UserTokens.AsNoTracking().Where(t => t.UserId == userId && t.LoginProvider == Provider && t.Name == key)
                .Select(t => t.Value).FirstOrDefaultAsync(ct);
            if (value is null) return false;
            started = Started(value);
            cache.Add(key, started.Value, epoch);
        }
        return time.GetUtcNow() - started.Value < options.Value.AbsoluteLifetime;
    }

    private static string? UserId(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier);

    private static string? Key(ClaimsPrincipal? user) => user?.FindFirstValue(ClaimType) is { Length: > 0 } id ? Hash(id) : null;

    private static string Hash(string id) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(id)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static DateTimeOffset Started(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t) ? t : DateTimeOffset.MinValue;
}
