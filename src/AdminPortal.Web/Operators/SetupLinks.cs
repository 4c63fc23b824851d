using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Operators;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosting;
using AdminPortal.Web.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Operators;

/// <summary>
/// One-time links to set a password (then enrol TOTP): for invited operators, for <c>admin create</c>, and
/// the first-run link that creates the first Admin. Valid 24 hours; only the token's hash is stored.
/// </summary>
public sealed class SetupLinks(IOptions<PortalOptions> options, IDbContextFactory<PortalDbContext> dbs, IServiceProvider services, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>Transaction-scoped advisory lock serializing every decision about the first Admin (across instances).</summary>
    private const string LockFirstAdmin = "SELECT pg_advisory_xact_lock(71899586494465)"; // 0x41646D500001

    private const string Unusable = "This setup link is unknown, expired or already used.";

    public string Create(PortalDbContext db, string email, string role, string createdBy)
    {
        var token = SecretTokens.New();
        var now = time.GetUtcNow();
        db.SetupLinks.Add(new SetupLink
        {
            Id = Guid.NewGuid(), TokenHash = Hash(token), Email = email, Role = role, CreatedAt = now,
            ExpiresAt = now + Lifetime, CreatedBy = createdBy,
        });
        return $"{options.Value.PublicUrl.TrimEnd('/')}/account/setup/{token}";
    }

    /// <summary>When no active Admin exists: a fresh first-run link (older unused ones are withdrawn), else null.</summary>
    public async Task<string?> FirstRunLinkAsync(CancellationToken ct)
    {
        var work = services.GetRequiredService<AuditedWork>();
        return await work.RunAsync<string?>(async (sp, db, c) =>
        {
            await LockFirstAdminAsync(db, c);
            if (await ActiveAdminExistsAsync(sp)) return (null, null);
            var now = time.GetUtcNow();
            await db.SetupLinks.Where(l => l.Email == "" && l.UsedAt == null && l.ExpiresAt > now)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, now), c);
            var link = Create(db, "", Roles.Admin, "system");
            return (link, new AuditEntry(AuditActor.System, "operator.setup_link.created", "operator:first-admin", new { role = Roles.Admin, firstRun = true }));
        }, ct);
    }

    /// <summary>The pending link for this token, or null when it is unknown, used or expired.</summary>
    public async Task<SetupLink?> FindAsync(string token, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var hash = Hash(token);
        var now = time.GetUtcNow();
        return await db.SetupLinks.AsNoTracking().FirstOrDefaultAsync(l => l.TokenHash == hash && l.UsedAt == null && l.ExpiresAt > now, ct);
    }

    /// <summary>Sets the password (creating the operator for a first-run link) and uses the link up.</summary>
    public Task<Result<Operator>> CompleteAsync(string token, string? email, string? displayName, string password, string? clientAddress, CancellationToken ct)
    {
        var work = services.GetRequiredService<AuditedWork>();
        return work.RunAsync<Result<Operator>>(async (sp, db, c) =>
        {
            var hash = Hash(token);
            var now = time.GetUtcNow();
            var link = await db.SetupLinks.AsNoTracking().FirstOrDefaultAsync(l => l.TokenHash == hash && l.UsedAt == null && l.ExpiresAt > now, c);
            if (link is null) return (new InvalidInput("token", Unusable), null);
            var users = sp.GetRequiredService<UserManager<Operator>>();
            if (link.Email == "")
            {
                // Before claiming the row: FirstRunLinkAsync takes this lock and then updates link rows.
                await LockFirstAdminAsync(db, c);
                if (await ActiveAdminExistsAsync(sp))
                    return (new Conflict("An Admin already exists; this first-run link can no longer be used. Ask an Admin for an invitation."), null);
            }
            // Claim the link before using it: a concurrent use waits on this row and then finds it used. If
            // this use fails, the transaction rolls back and the link stays usable.
            var claimed = await db.SetupLinks.Where(l => l.Id == link.Id && l.UsedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(l => l.UsedAt, now), c);
            if (claimed == 0) return (new InvalidInput("token", Unusable), null);
            Operator? op;
            if (link.Email == "")
            {
                if ((OperatorInput.Email(email) ?? OperatorInput.DisplayName(displayName)) is { } bad) return (bad, null);
                if (await users.FindByEmailAsync(email!) is not null) return (new Conflict($"An operator with the email '{email}' already exists."), null);
                op = new Operator { UserName = email, Email = email, EmailConfirmed = true, DisplayName = displayName?.Trim() ?? "", CreatedAt = now };
                var created = await users.CreateAsync(op, password);
                if (!created.Succeeded) return (new InvalidInput("password", Describe(created)), null);
                await users.AddToRoleAsync(op, link.Role).Ensure();
                // The first Admin exists now: every other first-run link is withdrawn.
                await db.SetupLinks.Where(l => l.Email == "" && l.UsedAt == null && l.ExpiresAt > now)
                    .ExecuteUpdateAsync(u => u.SetProperty(l => l.ExpiresAt, now), c);
            }
            else
            {
                op = await users.FindByEmailAsync(link.Email);
                if (op is null) return (new NotFound("Operator", link.Email), null);
                if (op.IsDisabled) return (new InvalidInput("token", "This operator is disabled; ask an Admin to enable the account first."), null);
                if (await users.HasPasswordAsync(op)) await users.RemovePasswordAsync(op);
                var set = await users.AddPasswordAsync(op, password);
                if (!set.Succeeded) return (new InvalidInput("password", Describe(set)), null);
            }
            return (op, new AuditEntry(new AuditActor(op.Email!, link.Role, clientAddress), "operator.setup.completed", $"operator:{op.Email}", new { role = link.Role }));
        }, ct);
    }

    /// <summary>Whether an enabled Admin with a password exists (one who can sign in).</summary>
    public async Task<bool> ActiveAdminExistsAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        return await ActiveAdminExistsAsync(scope.ServiceProvider);
    }

    private static async Task<bool> ActiveAdminExistsAsync(IServiceProvider sp) =>
        (await sp.GetRequiredService<UserManager<Operator>>().GetUsersInRoleAsync(Roles.Admin)).Any(a => !a.IsDisabled && a.PasswordHash is not null);

    private static Task<int> LockFirstAdminAsync(PortalDbContext db, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync(LockFirstAdmin, ct);

    private static string Describe(IdentityResult r) => string.Join(" ", r.Errors.Select(e => e.Description));

    private static byte[] Hash(string token) => SecretTokens.Hash(token);
}
