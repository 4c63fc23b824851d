using System.Globalization;
using System.Net;
using System.Net.Sockets;
using AdminPortal.Web.Errors;

namespace AdminPortal.Web.VpnServers.ClientConfigs;

/// <summary>Validation of a user's static address and routes against a profile's tunnel network; each failure names its field.</summary>
public static class ClientConfigInput
{
    public const int MaxRoutes = 32;

    /// <summary>The address, normalized, or why it cannot be the user's tunnel address in <paramref name="serverNetwork"/>.</summary>
    public static Result<string?> Address(string? text, string serverNetwork)
    {
        if (string.IsNullOrWhiteSpace(text)) return (string?)null;
        if (!IPAddress.TryParse(text.Trim(), out var ip) || ip.AddressFamily != AddressFamily.InterNetwork || text.Trim().Count(c => c == '.') != 3)
            return new InvalidInput("staticAddress", $"'{InputText.Printable(text)}' is not an IPv4 address (e.g. 10.8.0.10).");
        var net = IPNetwork.Parse(serverNetwork);
        if (!net.Contains(ip))
            return new InvalidInput("staticAddress", $"{ip} is not inside the profile's network {serverNetwork}.");
        var offset = ToUInt(ip) - ToUInt(net.BaseAddress);
        var size = 1u << (32 - net.PrefixLength);
        if (offset == 0 || offset == size - 1)
            return new InvalidInput("staticAddress", $"{ip} is the network or broadcast address of {serverNetwork}.");
        if (offset == 1)
            return new InvalidInput("staticAddress", $"{ip} is the VPN server's own address in {serverNetwork}.");
        var (first, last) = Bundles.OpenVpnConfigs.StaticRange(net);
        if (ToUInt(ip) < ToUInt(first) || ToUInt(ip) > ToUInt(last))
        {
            var pool = Bundles.OpenVpnConfigs.PoolRange(net);
            return new InvalidInput("staticAddress",
                $"{ip} is in the range the server hands out dynamically ({pool.First} to {pool.Last}); static addresses are {first} to {last}.");
        }
        return ip.ToString();
    }

    /// <summary>The routes as normalized CIDR strings (distinct, in the given order), or the first that is not valid.</summary>
    public static Result<string[]> Routes(IReadOnlyList<string>? routes, string serverNetwork)
    {
        if (routes is null) return Array.Empty<string>();
        if (routes.Count > MaxRoutes) return new InvalidInput("routes", $"At most {MaxRoutes} routes.");
        var vpn = IPNetwork.Parse(serverNetwork);
        var result = new List<string>();
        foreach (var route in routes)
        {
            var text = route?.Trim() ?? "";
            var slash = text.IndexOf('/');
            if (slash < 0 || !IPAddress.TryParse(text[..slash], out var ip) || ip.AddressFamily != AddressFamily.InterNetwork || text[..slash].Count(c => c == '.') != 3
                || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var bits) || bits is < 0 or > 32)
                return new InvalidInput("routes", $"'{InputText.Printable(text)}' is not an IPv4 network in CIDR form (e.g. 192.168.50.0/24).");
            var net = new IPNetwork(Mask(ip, bits), bits);
            if (!net.BaseAddress.Equals(ip))
                return new InvalidInput("routes", $"'{InputText.Printable(text)}' has host bits set: did you mean {net}?");
            if (net.PrefixLength == 0) return new InvalidInput("routes", "A default route (0.0.0.0/0) cannot be routed to one client.");
            if (net.Contains(vpn.BaseAddress) || vpn.Contains(net.BaseAddress))
                return new InvalidInput("routes", $"{net} overlaps the VPN's own network {serverNetwork}.");
            if (!result.Contains(net.ToString())) result.Add(net.ToString());
        }
        return result.ToArray();
    }

    private static uint ToUInt(IPAddress ip)
    {
        var b = ip.GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    private static IPAddress Mask(IPAddress ip, int bits)
    {
        var value = bits == 0 ? 0 : ToUInt(ip) & (uint.MaxValue << (32 - bits));
        return new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
    }
}
