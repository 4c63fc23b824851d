using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.ClientConfigs;
using AdminPortal.Web.Audit;
using AdminPortal.Web.VpnServers.Crl;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.VpnServers.ClientConfigs;

/// <summary>One server's result of a ccd push.</summary>
public sealed record ClientConfigPush(string Server, bool Ok, string? Problem);

/// <summary>
/// Writes (or removes, when nothing is set) the user's ccd file on every server of the profile, all at once; OpenVPN reads
/// ccd files at each connect, so no restart. A push takes a publish generation before it reads the settings, and writes under
/// the publishes' lock (<see cref="RemoteFiles.WriteClientConfigAsync"/>): a publish that rendered before it keeps the pushed
/// file, and one that rendered after it already has it. The results are audited in one event; a failed server is named there
/// and in the answer, and gets the file with its next publish.
/// </summary>
public sealed class ClientConfigPusher(IDbContextFactory<PortalDbContext> dbs, RemoteFiles files, AuditedWork work)
{
    public static string FilePath(string configDir, string commonName) => $"{configDir.TrimEnd('/')}/ccd/{commonName}";

    public async Task<IReadOnlyList<ClientConfigPush>> PushAsync(string profile, string user, AuditActor actor, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var servers = await db.VpnServers.AsNoTracking().Include(s => s.Host).Where(s => s.Profile!.Name == profile).OrderBy(s => s.Name).ToListAsync(ct);
        if (servers.Count == 0) return [];
        // Before the read: whatever was committed before this generation was taken is in what this push writes.
        var generation = await VpnPublisher.NextGenerationAsync(db, ct);
        var row = await db.Set<VpnClientConfig>().AsNoTracking().Where(c => c.User!.Name == user && c.Profile!.Name == profile)
            .Select(c => new { c.StaticAddress, c.Routes, c.Profile!.ServerNetwork }).FirstOrDefaultAsync(ct);
        var text = row is null ? null : ClientConfigFiles.Render(row.StaticAddress, row.Routes, row.ServerNetwork);
        var results = await Task.WhenAll(servers.Select(async s =>
        {
            if (VpnManagement.Target(s.Host!) is not { } target) return new ClientConfigPush(s.Name, false, $"host {s.Host!.Name} is not trusted");
            var done = await files.WriteClientConfigAsync(target, s.ConfigDir, user, text, generation, ct);
            return new ClientConfigPush(s.Name, done.Ok, done.Problem);
        }));
        await work.RecordAsync(new AuditEntry(actor, "vpn.client-config.pushed", $"vpn-user:{user}",
            new { profile, removed = text is null, generation, servers = results }, results.All(r => r.Ok) ? AuditOutcome.Success : AuditOutcome.Failure),
            CancellationToken.None);
        return results;
    }
}
