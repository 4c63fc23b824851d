using System.Security.Cryptography;
using System.Text;
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

    public string Create(PortalDbContext db, string email, string role, string createdBy)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
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
            var users = sp.GetRequiredService<UserManager<Operator>>();
            if ((await users.GetUsersInRoleAsync(Roles.Admin)).Any(a => !a.IsDisabled && a.PasswordHash is not null)) return (null, null);
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
            var link = await db.SetupLinks.FirstOrDefaultAsync(l => l.TokenHash == hash && l.UsedAt == null && l.ExpiresAt > now, c);
            if (link is null) return (new InvalidInput("token", "This setup link is unknown, expired or already used."), null);
            // Claim the link before using it: a concurrent use waits on this row and then finds it used. If
            // this use fails, the transaction rolls back and the link stays usable.
            var claimed = await db.SetupLinks.Where(l => l.Id == link.Id && l.UsedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(l => l.UsedAt, now), c);
            if (claimed == 0) return (new InvalidInput("token", "This setup link is unknown, expired or already used."), null);
            var users = sp.GetRequiredService<UserManager<Operator>>();
            Operator? op;
            if (link.Email == "")
            {
                if ((OperatorInput.Email(email) ?? OperatorInput.DisplayName(displayName)) is { } bad) return (bad, null);
                if (await users.FindByEmailAsync(email!) is not null) return (new Conflict($"An operator with the email '{email}' already exists."), null);
                op = new Operator { UserName = email, Email = email, EmailConfirmed = true, DisplayName = displayName?.Trim() ?? "", CreatedAt = now };
                var created = await users.CreateAsync(op, password);
                if (!created.Succeeded) return (new InvalidInput("password", Describe(created)), null);
                await users.AddToRoleAsync(op, link.Role).Ensure();
            }
            else
            {
                op = await users.FindByEmailAsync(link.Email);
                if (op is null) return (new NotFound("Operator", link.Email), null);
                if (await users.HasPasswordAsync(op)) await users.RemovePasswordAsync(op);
                var set = await users.AddPasswordAsync(op, password);
                if (!set.Succeeded) return (new InvalidInput("password", Describe(set)), null);
            }
            link.UsedAt = now;
            return (op, new AuditEntry(new AuditActor(op.Email!, link.Role, clientAddress), "operator.setup.completed", $"operator:{op.Email}", new { role = link.Role }));
        }, ct);
    }

    private static string Describe(IdentityResult r) => string.Join(" ", r.Errors.Select(e => e.Description));

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
