using System.Net;
using AdminPortal.Data;
using AdminPortal.Data.ClientConfigs;
using AdminPortal.Web.Bundles;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.VpnServers.ClientConfigs;

/// <summary>
/// What the client-config-dir holds on a profile's servers: one file per user (named after the certificate's CN, the
/// user name) with <c>ifconfig-push</c> (topology subnet: address and the network's netmask) and one <c>iroute</c> per
/// route; and the <c>route</c> lines server.conf needs so that the kernel sends those networks into the tunnel.
/// </summary>
public static class ClientConfigFiles
{
    /// <summary>The ccd file's text, or null when the user has nothing set (the file is then removed).</summary>
    public static string? Render(string? staticAddress, IReadOnlyList<string> routes, string serverNetwork)
    {
        if (staticAddress is null && routes.Count == 0) return null;
        var lines = new List<string>();
        if (staticAddress is not null)
            lines.Add($"ifconfig-push {staticAddress} {OpenVpnConfigs.Mask(IPNetwork.Parse(serverNetwork).PrefixLength)}");
        lines.AddRange(routes.Select(r => $"iroute {Directive(r)}"));
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>server.conf's <c>route NET MASK</c> lines for every user's iroutes on this profile (sorted, distinct).</summary>
    public static IReadOnlyList<string> ServerRouteLines(IEnumerable<string> routes) =>
        [.. routes.Distinct().Order(StringComparer.Ordinal).Select(r => $"route {Directive(r)}")];

    /// <summary>Every user's ccd file on the profile (CN → text), and the route lines for server.conf: what a publish uploads.</summary>
    public static async Task<(IReadOnlyDictionary<string, string> Files, IReadOnlyList<string> ServerRoutes)> ForProfileAsync(
        PortalDbContext db, Guid profileId, CancellationToken ct)
    {
        var rows = await db.Set<VpnClientConfig>().AsNoTracking().Where(c => c.ProfileId == profileId)
            .Select(c => new { c.User!.Name, c.StaticAddress, c.Routes, c.Profile!.ServerNetwork }).ToListAsync(ct);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var r in rows)
            if (Render(r.StaticAddress, r.Routes, r.ServerNetwork) is { } text) files[r.Name] = text;
        return (files, ServerRouteLines(rows.SelectMany(r => r.Routes)));
    }

    private static string Directive(string cidr)
    {
        var net = IPNetwork.Parse(cidr);
        return $"{net.BaseAddress} {OpenVpnConfigs.Mask(net.PrefixLength)}";
    }
}
