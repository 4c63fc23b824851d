using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Operators;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Operators;

public sealed record OperatorInfo(
    string Id, string Email, string DisplayName, string Role, bool IsDisabled, bool TwoFactorEnabled,
    bool PasswordSet, DateTimeOffset? LockedOutUntil, DateTimeOffset CreatedAt);

public sealed record Invitation(OperatorInfo Operator, string SetupLink);

/// <summary>Operator management for Admins: invite, change role, disable/enable, reset the second factor.</summary>
public sealed class OperatorService(AuditedWork work, SetupLinks links, IDbContextFactory<PortalDbContext> dbs, TimeProvider time)
{
    public async Task<IReadOnlyList<OperatorInfo>> ListAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var rows = await (from u in db.Users.AsNoTracking()
                          join ur in db.UserRoles on u.Id equals ur.UserId into urs
                          from ur in urs.DefaultIfEmpty()
                          join r in db.Roles on ur.RoleId equals r.Id into rs
                          from r in rs.DefaultIfEmpty()
                          orderby u.Email
                          select new { u, Role = r != null ? r.Name : null }).ToListAsync(ct);
        var now = time.GetUtcNow();
        return rows.Select(x => Info(x.u, x.Role ?? "None", now)).ToList();
    }

    public async Task<Result<Invitation>> InviteAsync(string? email, string? displayName, string? role, AuditActor actor, CancellationToken ct)
    {
        if ((OperatorInput.Email(email) ?? OperatorInput.DisplayName(displayName)) is { } bad) return bad;
        if (Roles.Parse(role) is not { } canonical) return new InvalidInput("role", $"Unknown role '{role}'. Roles: {string.Join(", ", Roles.All)}.");
        return await work.RunAsync<Result<Invitation>>(async (sp, db, c) =>
        {
            var users = sp.GetRequiredService<UserManager<Operator>>();
            if (await users.FindByEmailAsync(email!) is not null) return (new Conflict($"An operator with the email '{email}' already exists."), null);
            var op = new Operator { UserName = email, Email = email, DisplayName = displayName?.Trim() ?? "", CreatedAt = time.GetUtcNow(), EmailConfirmed = true };
            var created = await users.CreateAsync(op);
            if (!created.Succeeded) return (new InvalidInput("email", string.Join(" ", created.Errors.Select(e => e.Description))), null);
            await users.AddToRoleAsync(op, canonical).Ensure();
            var link = links.Create(db, email!, canonical, actor.Name);
            return (new Invitation(Info(op, canonical, time.GetUtcNow()), link),
                new AuditEntry(actor, "operator.invited", $"operator:{email}", new { role = canonical }));
        }, ct);
    }

    public Task<Result<OperatorInfo>> ChangeRoleAsync(string id, string? role, AuditActor actor, CancellationToken ct)
    {
        if (Roles.Parse(role) is not { } canonical)
            return Task.FromResult<Result<OperatorInfo>>(new InvalidInput("role", $"Unknown role '{role}'. Roles: {string.Join(", ", Roles.All)}."));
        return Change(id, actor, "operator.role.changed", async (users, _, op, oldRole, c) =>
        {
            if (oldRole == canonical) return (null, new { role = canonical });
            if (oldRole == Roles.Admin && await LastActiveAdminAsync(users, op)) return (new Conflict("This is the last active Admin; make another operator Admin first."), null);
            if (oldRole != "None") await users.RemoveFromRoleAsync(op, oldRole).Ensure();
            await users.AddToRoleAsync(op, canonical).Ensure();
            await users.UpdateSecurityStampAsync(op).Ensure();
            return (null, new { from = oldRole, to = canonical });
        }, ct);
    }

    public Task<Result<OperatorInfo>> SetDisabledAsync(string id, bool disabled, AuditActor actor, CancellationToken ct) =>
        Change(id, actor, disabled ? "operator.disabled" : "operator.enabled", async (users, db, op, role, c) =>
        {
            if (disabled && op.Email == actor.Name) return (new Conflict("You cannot disable yourself."), null);
            if (disabled && role == Roles.Admin && await LastActiveAdminAsync(users, op)) return (new Conflict("This is the last active Admin."), null);
            op.IsDisabled = disabled;
            await users.UpdateAsync(op).Ensure();
            await users.UpdateSecurityStampAsync(op).Ensure();
            if (disabled)
            {
                // A pending invitation would otherwise let the disabled operator set a password and sign in.
                var now = time.GetUtcNow();
                await db.SetupLinks.Where(l => l.Email == op.Email && l.UsedAt == null && l.ExpiresAt > now)
                    .ExecuteUpdateAsync(u => u.SetProperty(l => l.ExpiresAt, now), c);
            }
            return (null, null);
        }, ct);

    public Task<Result<OperatorInfo>> ResetTwoFactorAsync(string id, AuditActor actor, CancellationToken ct) =>
        Change(id, actor, "operator.2fa.reset", async (users, _, op, _, c) =>
        {
            await users.SetTwoFactorEnabledAsync(op, false).Ensure();
            await users.RemoveAuthenticationTokenAsync(op, "[AspNetUserStore]", "AuthenticatorKey").Ensure();
            await users.RemoveAuthenticationTokenAsync(op, "[AspNetUserStore]", "RecoveryCodes").Ensure();
            await users.UpdateSecurityStampAsync(op).Ensure();
            return (null, null);
        }, ct);

    private delegate Task<(PortalError? Error, object? Details)> Mutation(UserManager<Operator> users, PortalDbContext db, Operator op, string role, CancellationToken ct);

    private Task<Result<OperatorInfo>> Change(string id, AuditActor actor, string action, Mutation mutate, CancellationToken ct) =>
        work.RunAsync<Result<OperatorInfo>>(async (sp, db, c) =>
        {
            var users = sp.GetRequiredService<UserManager<Operator>>();
            var op = await users.FindByIdAsync(id);
            if (op is null) return (new NotFound("Operator", id), null);
            var role = (await users.GetRolesAsync(op)).FirstOrDefault() ?? "None";
            var (error, details) = await mutate(users, db, op, role, c);
            if (error is not null) return (error, null);
            var newRole = (await users.GetRolesAsync(op)).FirstOrDefault() ?? "None";
            return (Info(op, newRole, time.GetUtcNow()), new AuditEntry(actor, action, $"operator:{op.Email}", details));
        }, ct);

    private static async Task<bool> LastActiveAdminAsync(UserManager<Operator> users, Operator op)
    {
        var admins = await users.GetUsersInRoleAsync(Roles.Admin);
        return !admins.Any(a => !a.IsDisabled && a.Id != op.Id);
    }

    private static OperatorInfo Info(Operator u, string role, DateTimeOffset now) => new(
        u.Id, u.Email ?? "", u.DisplayName, role, u.IsDisabled, u.TwoFactorEnabled, u.PasswordHash is not null,
        u.LockoutEnd > now ? u.LockoutEnd : null, u.CreatedAt);
}
