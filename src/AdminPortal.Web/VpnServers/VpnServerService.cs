using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.VpnServers;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosts;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AdminPortal.Web.VpnServers;

/// <summary>Rebuild onto <paramref name="Host"/> (a managed, trusted host); configDir and netNamespace default to the current ones.</summary>
public sealed record RebuildRequest(string? Host, string? ConfigDir = null, string? NetNamespace = null);

public sealed record VpnServerView(
    string Name, string Host, string Profile, string ConfigDir, string RunMode, string ServiceName, string? NetNamespace,
    string ManagementSocket, string User, string Group, string[] ServerDirectives, DateTimeOffset? LastPublishedAt, Guid? LastPublishRunId,
    string? DeployedCrlNumber, DateTimeOffset? DeployedCrlNextUpdate, DateTimeOffset? CrlCheckedAt, string? CrlStatus, string? CrlError,
    DateTimeOffset CreatedAt, string CreatedBy)
{
    public static VpnServerView Of(VpnServer s) => new(s.Name, s.Host?.Name ?? "", s.Profile?.Name ?? "", s.ConfigDir, s.RunMode, s.ServiceName,
        s.NetNamespace, s.ManagementSocket, s.RunAsUser, s.RunAsGroup, s.ServerDirectives, s.LastPublishedAt, s.LastPublishRunId,
        s.DeployedCrlNumber, s.DeployedCrlNextUpdate, s.CrlCheckedAt, s.CrlStatus, s.CrlError, s.CreatedAt, s.CreatedBy);
}

/// <summary>VPN server records: a managed host, the profile its OpenVPN serves, and how that OpenVPN is laid out and run.</summary>
public sealed class VpnServerService(AuditedWork work, IDbContextFactory<PortalDbContext> dbs, TimeProvider time)
{
    public async Task<Result<VpnServerView>> CreateAsync(CreateVpnServerRequest request, AuditActor actor, CancellationToken ct)
    {
        var valid = VpnServerInput.Validate(request);
        if (!valid.Ok) return valid.Error!;
        var v = valid.Value!;
        return await work.RunAsync<Result<VpnServerView>>(async (_, db, c) =>
        {
            var host = await db.Hosts.FirstOrDefaultAsync(h => h.Name == v.Host, c);
            if (host is null) return (new NotFound("Host", v.Host), null);
            var profile = await db.VpnProfiles.FirstOrDefaultAsync(p => p.Name == v.Profile, c);
            if (profile is null) return (new NotFound("VPN profile", v.Profile), null);
            if (await db.VpnServers.AnyAsync(s => s.Name == v.Name, c)) return (Duplicate(v.Name), null);
            var server = db.VpnServers.Add(new VpnServer
            {
                Id = Guid.NewGuid(), Name = v.Name, HostId = host.Id, Host = host, ProfileId = profile.Id, Profile = profile,
                ConfigDir = v.ConfigDir, RunMode = v.RunMode, ServiceName = v.ServiceName, NetNamespace = v.NetNamespace,
                ManagementSocket = v.ManagementSocket, RunAsUser = v.User, RunAsGroup = v.Group, ServerDirectives = v.ServerDirectives,
                CreatedAt = time.GetUtcNow(), CreatedBy = actor.Name,
            }).Entity;
            try { await db.SaveChangesAsync(c); }
            catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                return (Duplicate(v.Name), null);
            }
            return (VpnServerView.Of(server), new AuditEntry(actor, "vpn.server.added", $"vpn-server:{v.Name}", new
            {
                host = v.Host, profile = v.Profile, configDir = v.ConfigDir, runMode = v.RunMode, serviceName = v.ServiceName,
                netNamespace = v.NetNamespace, managementSocket = v.ManagementSocket, user = v.User, group = v.Group, serverDirectives = v.ServerDirectives,
            }));
        }, ct);
    }

    /// <summary>Replaces the extra server directives (allow-listed); published with the next publish.</summary>
    public async Task<Result<VpnServerView>> SetDirectivesAsync(string name, IReadOnlyList<string>? directives, AuditActor actor, CancellationToken ct)
    {
        var valid = ServerDirectiveList.Validate(directives ?? []);
        if (!valid.Ok) return valid.Error!;
        return await work.RunAsync<Result<VpnServerView>>(async (_, db, c) =>
        {
            var server = await db.VpnServers.Include(s => s.Host).Include(s => s.Profile).FirstOrDefaultAsync(s => s.Name == name, c);
            if (server is null) return (new NotFound("VPN server", name), null);
            var previous = server.ServerDirectives;
            server.ServerDirectives = valid.Value!;
            return (VpnServerView.Of(server), new AuditEntry(actor, "vpn.server.directives.changed", $"vpn-server:{name}",
                new { previous, serverDirectives = valid.Value }));
        }, ct);
    }

    /// <summary>Points the server at another host (a rebuild onto a fresh machine), optionally with its own config directory and namespace.</summary>
    public async Task<Result<VpnServerView>> MoveAsync(string name, RebuildRequest r, AuditActor actor, CancellationToken ct)
    {
        if (HostInput.Name("host", r.Host) is { } badHost) return badHost;
        if (r.ConfigDir is not null && VpnServerInput.Path("configDir", r.ConfigDir, 200) is { } badDir) return badDir;
        return await work.RunAsync<Result<VpnServerView>>(async (_, db, c) =>
        {
            var server = await db.VpnServers.Include(s => s.Host).Include(s => s.Profile).FirstOrDefaultAsync(s => s.Name == name, c);
            if (server is null) return (new NotFound("VPN server", name), null);
            if (VpnServerInput.Namespace(r.NetNamespace, server.RunMode) is { } badNs) return (badNs, null);
            var host = await db.Hosts.FirstOrDefaultAsync(h => h.Name == r.Host, c);
            if (host is null) return (new NotFound("Host", r.Host!), null);
            var from = new { host = server.Host!.Name, configDir = server.ConfigDir, netNamespace = server.NetNamespace };
            var dir = r.ConfigDir?.TrimEnd('/') ?? server.ConfigDir;
            if (server.ManagementSocket == $"{server.ConfigDir}/mgmt.sock") server.ManagementSocket = $"{dir}/mgmt.sock";
            if (VpnServerInput.Path("managementSocket", server.ManagementSocket, VpnServerInput.MaxSocketPath) is { } badSocket) return (badSocket, null);
            server.ConfigDir = dir;
            server.HostId = host.Id;
            server.Host = host;
            server.NetNamespace = r.NetNamespace ?? server.NetNamespace;
            return (VpnServerView.Of(server), new AuditEntry(actor, "vpn.server.moved", $"vpn-server:{name}",
                new { from, to = new { host = host.Name, configDir = dir, netNamespace = server.NetNamespace } }));
        }, ct);
    }

    private static Conflict Duplicate(string name) => new($"A VPN server named '{name}' exists already.");

    public async Task<IReadOnlyList<VpnServerView>> ListAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return (await Query(db).OrderBy(s => s.Name).ToListAsync(ct)).Select(VpnServerView.Of).ToList();
    }

    public async Task<VpnServerView?> GetAsync(string name, CancellationToken ct) =>
        await LoadAsync(name, ct) is { } s ? VpnServerView.Of(s) : null;

    /// <summary>The record with its host (and the host's credential) and profile (with its server certificate), untracked.</summary>
    public async Task<VpnServer?> LoadAsync(string name, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await Query(db).FirstOrDefaultAsync(s => s.Name == name, ct);
    }

    private static IQueryable<VpnServer> Query(PortalDbContext db) =>
        db.VpnServers.AsNoTracking().Include(s => s.Host).ThenInclude(h => h!.Credential).Include(s => s.Profile).ThenInclude(p => p!.ServerCertificate);
}
