using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.ClientConfigs;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AdminPortal.Web.VpnServers.ClientConfigs;

public sealed record ClientConfigRequest(string? Profile, string? StaticAddress, IReadOnlyList<string>? Routes);

/// <summary>A user's client-config-dir settings on one profile, and the servers they were pushed to.</summary>
public sealed record ClientConfigView(string User, string Profile, string ServerNetwork, string? StaticAddress, IReadOnlyList<string> Routes,
    DateTimeOffset? UpdatedAt, string? UpdatedBy, IReadOnlyList<ClientConfigPush> Pushes);

/// <summary>Static addresses and routes per user and profile: stored with their audit event, then pushed to the servers.</summary>
public sealed class ClientConfigService(AuditedWork work, IDbContextFactory<PortalDbContext> dbs, ClientConfigPusher pusher, TimeProvider time)
{
    public async Task<IReadOnlyList<ClientConfigView>> ListAsync(string user, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var profiles = await db.VpnProfiles.AsNoTracking().OrderBy(p => p.Name).Select(p => new { p.Id, p.Name, p.ServerNetwork }).ToListAsync(ct);
        var rows = await db.Set<VpnClientConfig>().AsNoTracking().Where(c => c.User!.Name == user).ToListAsync(ct);
        return [.. profiles.Select(p => rows.FirstOrDefault(r => r.ProfileId == p.Id) is { } r
            ? new ClientConfigView(user, p.Name, p.ServerNetwork, r.StaticAddress, r.Routes, r.UpdatedAt, r.UpdatedBy, [])
            : new ClientConfigView(user, p.Name, p.ServerNetwork, null, [], null, null, []))];
    }

    public async Task<Result<ClientConfigView>> SetAsync(string user, ClientConfigRequest request, AuditActor actor, CancellationToken ct)
    {
        var saved = await work.RunAsync<Result<ClientConfigView>>(async (_, db, c) =>
        {
            var vpnUser = await db.VpnUsers.FirstOrDefaultAsync(u => u.Name == user, c);
            if (vpnUser is null) return (new NotFound("VPN user", user), null);
            var profiles = await db.VpnProfiles.ToListAsync(c);
            var profile = request.Profile is null
                ? profiles.Count == 1 ? profiles[0] : null
                : profiles.FirstOrDefault(p => p.Name == request.Profile);
            if (profile is null)
                return (request.Profile is null
                    ? new InvalidInput("profile", profiles.Count == 0 ? "There is no VPN profile yet." : "profile is required: there are several VPN profiles.")
                    : new NotFound("VPN profile", request.Profile), null);
            var address = ClientConfigInput.Address(request.StaticAddress, profile.ServerNetwork);
            if (!address.Ok) return (address.Error!, null);
            var routes = ClientConfigInput.Routes(request.Routes, profile.ServerNetwork);
            if (!routes.Ok) return (routes.Error!, null);
            if (address.Value is { } ip && await db.Set<VpnClientConfig>()
                    .Where(x => x.ProfileId == profile.Id && x.StaticAddress == ip && x.VpnUserId != vpnUser.Id)
                    .Select(x => x.User!.Name).FirstOrDefaultAsync(c) is { } holder)
                return (new Conflict($"{ip} is already the static address of '{holder}' on profile {profile.Name}."), null);

            var row = await db.Set<VpnClientConfig>().FirstOrDefaultAsync(x => x.VpnUserId == vpnUser.Id && x.ProfileId == profile.Id, c);
            var before = new { staticAddress = row?.StaticAddress, routes = row?.Routes ?? [] };
            row ??= db.Set<VpnClientConfig>().Add(new VpnClientConfig
            {
                Id = Guid.NewGuid(), VpnUserId = vpnUser.Id, ProfileId = profile.Id, UpdatedBy = actor.Name,
            }).Entity;
            (row.StaticAddress, row.Routes, row.UpdatedAt, row.UpdatedBy) = (address.Value, routes.Value!, time.GetUtcNow(), actor.Name);
            try
            {
                await db.SaveChangesAsync(c);
            }
            catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                return (new Conflict($"{address.Value} was just given to another user on profile {profile.Name}; choose another address."), null);
            }
            var view = new ClientConfigView(user, profile.Name, profile.ServerNetwork, row.StaticAddress, row.Routes, row.UpdatedAt, row.UpdatedBy, []);
            return (view, new AuditEntry(actor, "vpn.client-config.changed", $"vpn-user:{user}",
                new { profile = profile.Name, staticAddress = row.StaticAddress, routes = row.Routes, previous = before }));
        }, ct);
        if (!saved.Ok) return saved;
        // The change is committed; the servers get it now (a failure shows per server and is audited, the setting stays).
        var pushes = await pusher.PushAsync(saved.Value!.Profile, user, actor, ct);
        return saved.Value with { Pushes = pushes };
    }
}
