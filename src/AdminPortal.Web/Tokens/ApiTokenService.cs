using System.Text.RegularExpressions;
using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Operators;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Tokens;

public sealed record ApiTokenInfo(string Name, string Role, string Prefix, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>The new token: <see cref="Token"/> is shown once and never stored.</summary>
public sealed record CreatedToken(ApiTokenInfo Info, string Token);

/// <summary>Bearer tokens for the REST API: random, stored as SHA-256, bound to one role, revocable.</summary>
public sealed partial class ApiTokenService(
    AuditedWork work, IDbContextFactory<PortalDbContext> dbs, TimeProvider time, ApiTokenCache cache, ApiTokenInvalidation invalidation)
{
    private const string Scheme = "ap_";

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z", InputText.Linear)]
    private static partial Regex NamePattern();

    public static PortalError? ValidateName(string? name) => name is not null && NamePattern().IsMatch(name)
        ? null
        : new InvalidInput("name", "A token name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.");

    public async Task<Result<CreatedToken>> CreateAsync(string? name, string? role, AuditActor actor, CancellationToken ct)
    {
        if (ValidateName(name) is { } bad) return bad;
        if (Roles.Parse(role) is not { } canonicalRole)
            return new InvalidInput("role", $"Unknown role '{role}'. Roles: {string.Join(", ", Roles.All)}.");
        var secret = Scheme + SecretTokens.New();
        return await work.RunAsync<Result<CreatedToken>>(async (_, db, c) =>
        {
            if (await db.ApiTokens.AnyAsync(t => t.Name == name, c))
                return (new Conflict($"A token named '{name}' already exists."), null);
            var token = new ApiToken
            {
                Id = Guid.NewGuid(), Name = name!, Role = canonicalRole, TokenHash = Hash(secret), Prefix = secret[..10],
                CreatedAt = time.GetUtcNow(), CreatedBy = actor.Name,
            };
            db.ApiTokens.Add(token);
            return (new CreatedToken(Info(token), secret), new AuditEntry(actor, "token.created", $"token:{name}", new { role = canonicalRole }));
        }, ct);
    }

    /// <summary>Revokes the token; when this returns, no instance accepts it any more (see <see cref="ApiTokenInvalidation"/>).</summary>
    public async Task<Result<ApiTokenInfo>> RevokeAsync(string name, AuditActor actor, CancellationToken ct)
    {
        var revoked = await work.RunAsync<Result<ApiTokenInfo>>(async (_, db, c) =>
        {
            var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Name == name, c);
            if (token is null) return (new NotFound("Token", name), null);
            if (token.RevokedAt is not null) return (new Conflict($"The token '{name}' is already revoked."), null);
            token.RevokedAt = time.GetUtcNow();
            token.RevokedBy = actor.Name;
            await ApiTokenInvalidation.NotifyAsync(db, c);
            return (Info(token), new AuditEntry(actor, "token.revoked", $"token:{name}"));
        }, ct);
        if (revoked.Ok)
        {
            cache.Invalidate();
            await invalidation.ConfirmAsync(ct);
        }
        return revoked;
    }

    public async Task<IReadOnlyList<ApiTokenInfo>> ListAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var tokens = await db.ApiTokens.AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);
        return tokens.Select(Info).ToList();
    }

    /// <summary>
    /// The live token with this secret, or null. Marks it used (at most once a minute). A token this instance
    /// already knows comes from <see cref="ApiTokenCache"/> without a query, while the cache is kept in step.
    /// </summary>
    public async Task<ApiTokenInfo?> AuthenticateAsync(string secret, CancellationToken ct)
    {
        if (!secret.StartsWith(Scheme, StringComparison.Ordinal) || secret.Length > 100) return null;
        var hash = Hash(secret);
        var now = time.GetUtcNow();
        if (cache.Find(hash) is { } known)
        {
            if (now - known.MarkedUsedAt > UseMarkInterval)
            {
                known.MarkedUsedAt = now;
                await using var mark = await dbs.CreateDbContextAsync(ct);
                await mark.ApiTokens.Where(t => t.TokenHash == hash).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), ct);
            }
            return known.Info;
        }
        var epoch = cache.Epoch; // before the read: an invalidation during it keeps the result out of the cache
        await using var db = await dbs.CreateDbContextAsync(ct);
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.TokenHash == hash, ct);
        if (token is null || token.RevokedAt is not null) return null;
        if (token.LastUsedAt is null || now - token.LastUsedAt > UseMarkInterval)
        {
            await db.ApiTokens.Where(t => t.Id == token.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), ct);
            token.LastUsedAt = now;
        }
        var info = Info(token);
        cache.Add(hash, info, epoch);
        return info;
    }

    private static readonly TimeSpan UseMarkInterval = TimeSpan.FromMinutes(1);

    private static ApiTokenInfo Info(ApiToken t) => new(t.Name, t.Role, t.Prefix, t.CreatedAt, t.CreatedBy, t.LastUsedAt, t.RevokedAt);

    private static byte[] Hash(string secret) => SecretTokens.Hash(secret);

}
