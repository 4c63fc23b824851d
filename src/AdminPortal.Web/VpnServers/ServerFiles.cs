using System.Security.Cryptography;
using System.Text;
using AdminPortal.Data;
using AdminPortal.Data.VpnServers;
using AdminPortal.Web.Bundles;
using AdminPortal.Web.VpnServers.ClientConfigs;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.VpnServers;

/// <summary>One file of a VPN server's config directory as the portal renders it. Secret files are shown only by hash.</summary>
public sealed record ServerFile(string Name, byte[] Content, string Mode, bool Secret)
{
    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Content));
    public string Text => Encoding.UTF8.GetString(Content);
}

/// <summary>
/// What a VPN server's config directory holds: the profile's server files, with server.conf completed for this server
/// (user/group to drop to, <c>client-config-dir ccd</c>, the management socket, the allow-listed extra directives).
/// All paths in server.conf are relative to the config directory (OpenVPN runs with <c>--cd</c>), except the socket.
/// </summary>
public sealed class ServerFiles(IDbContextFactory<PortalDbContext> dbs, VpnProfileService profiles)
{
    public static readonly string[] Names = ["server.conf", "ca.pem", "server.crt", "server.key", "tls-crypt.key", "crl.pem"];
    private static readonly HashSet<string> SecretNames = ["server.key", "tls-crypt.key"];

    public async Task<IReadOnlyList<ServerFile>> RenderAsync(VpnServer server, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var profile = await db.VpnProfiles.AsNoTracking().Include(p => p.ServerCertificate).FirstAsync(p => p.Id == server.ProfileId, ct);
        var files = await profiles.ServerFilesOfAsync(db, profile, ct);
        var (clientConfigs, routes) = await ClientConfigFiles.ForProfileAsync(db, profile.Id, ct);
        files["server.conf"] += ServerPart(server, routes);
        return [
            .. Names.Select(n => new ServerFile(n, Encoding.UTF8.GetBytes(files[n]), SecretNames.Contains(n) ? "600" : "644", SecretNames.Contains(n))),
            .. clientConfigs.OrderBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => new ServerFile(ClientConfigPrefix + c.Key, Encoding.UTF8.GetBytes(c.Value), "644", false)),
        ];
    }

    /// <summary>Per-user client-config-dir files are named <c>ccd/CN</c> among the rendered files.</summary>
    public const string ClientConfigPrefix = "ccd/";

    public static string ServerPart(VpnServer s, IReadOnlyList<string> routes) => string.Join('\n', (string[])[
        $"# VPN server '{s.Name}' (published by AdminPortal; local changes are overwritten by the next publish).",
        $"user {s.RunAsUser}", $"group {s.RunAsGroup}",
        "client-config-dir ccd",
        .. routes, // the kernel routes for the users' iroutes (see ClientConfigFiles)
        $"management {s.ManagementSocket} unix",
        .. s.ServerDirectives]) + "\n";
}
