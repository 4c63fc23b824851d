using System.Net;
using System.Security.Cryptography;
using System.Text;
using AdminPortal.Data.Bundles;

namespace AdminPortal.Web.Bundles;

/// <summary>The key material a client profile carries inline.</summary>
public sealed record ClientCredentials(string CaChainPem, string CertificatePem, string KeyPem);

/// <summary>OpenVPN 2.6 texts: the tls-crypt static key, the server's config and a client's unified profile.</summary>
public static class OpenVpnConfigs
{
    /// <summary>A 2048-bit OpenVPN static key in the V1 text format (what <c>openvpn --genkey tls-crypt</c> writes).</summary>
    public static string NewTlsCryptKey()
    {
        var bytes = RandomNumberGenerator.GetBytes(256);
        var sb = new StringBuilder("#\n# 2048 bit OpenVPN static key\n#\n-----BEGIN OpenVPN Static key V1-----\n");
        for (var i = 0; i < 256; i += 16) sb.Append(Convert.ToHexStringLower(bytes, i, 16)).Append('\n');
        CryptographicOperations.ZeroMemory(bytes);
        return sb.Append("-----END OpenVPN Static key V1-----\n").ToString();
    }

    public static string ServerCommonName(string profile) => $"server.{profile}";

    /// <summary>The addresses the server hands out dynamically: from the second host address up to the static range.</summary>
    public static (IPAddress First, IPAddress Last) PoolRange(IPNetwork network) =>
        (Offset(network, 2), Offset(network, StaticStart(network) - 1));

    /// <summary>The addresses kept for static assignment: the top quarter of the network, without the broadcast address.</summary>
    public static (IPAddress First, IPAddress Last) StaticRange(IPNetwork network) =>
        (Offset(network, StaticStart(network)), Offset(network, Size(network) - 2));

    private static long Size(IPNetwork network) => 1L << (32 - network.PrefixLength);

    private static long StaticStart(IPNetwork network) => Size(network) - Size(network) / 4;

    private static IPAddress Offset(IPNetwork network, long offset)
    {
        var bytes = network.BaseAddress.GetAddressBytes();
        var value = ((uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3]) + (uint)offset;
        return new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
    }

    public static string ServerConf(VpnProfile p)
    {
        var network = IPNetwork.Parse(p.ServerNetwork);
        var lines = new List<string>
        {
            $"# OpenVPN server for the AdminPortal profile '{p.Name}'. Files next to this one: ca.pem, server.crt,",
            "# server.key, tls-crypt.key, crl.pem (replace crl.pem whenever the portal publishes a new one).",
            $"port {p.Port}",
            p.Protocol == "tcp" ? "proto tcp-server" : "proto udp",
            "dev tun",
            "topology subnet",
            // The pool hands out the lower three quarters; the top quarter is kept for users' static addresses (ccd files).
            $"server {network.BaseAddress} {Mask(network.PrefixLength)} nopool",
            $"ifconfig-pool {PoolRange(network).First} {PoolRange(network).Last} {Mask(network.PrefixLength)}",
            "ca ca.pem", "cert server.crt", "key server.key", "dh none",
            $"{ControlChannelDirective(p)} tls-crypt.key", "crl-verify crl.pem", "remote-cert-tls client",
            "tls-version-min 1.2", $"data-ciphers {p.DataCiphers}", "allow-compression no",
            "keepalive 10 60", "persist-key", "persist-tun", "verb 3",
        };
        if (p.ControlChannel == ControlChannels.TlsCryptV2)
            lines.Insert(2, "# tls-crypt.key is the tls-crypt-v2 server key: every client profile carries its own client key wrapped by it.");
        lines.AddRange(p.PushRoutes.Select(r => IPNetwork.Parse(r)).Select(n => $"push \"route {n.BaseAddress} {Mask(n.PrefixLength)}\""));
        lines.AddRange(p.PushDns.Select(d => $"push \"dhcp-option DNS {d}\""));
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>tls-crypt or tls-crypt-v2: the directive (and inline tag) of the profile's control-channel key.</summary>
    public static string ControlChannelDirective(VpnProfile p) => p.ControlChannel == ControlChannels.TlsCryptV2 ? "tls-crypt-v2" : "tls-crypt";

    /// <summary>
    /// A unified client profile: everything inline, nothing to copy next to it. <paramref name="controlChannelKey"/> is the profile's
    /// tls-crypt key, or for a tls-crypt-v2 profile this client's own client key (never the server key).
    /// </summary>
    public static string ClientProfile(VpnProfile p, string userName, ClientCredentials c, string controlChannelKey)
    {
        var lines = new List<string>
        {
            $"# OpenVPN profile '{p.Name}' for {userName}, made by AdminPortal.",
            "client", "dev tun", p.Protocol == "tcp" ? "proto tcp-client" : "proto udp",
        };
        lines.AddRange(p.RemoteHosts.Select(h => $"remote {h} {p.Port}"));
        if (p.RemoteHosts.Length > 1) lines.Add("remote-random");
        lines.AddRange([
            "resolv-retry infinite", "nobind", "persist-key", "persist-tun",
            "remote-cert-tls server", $"verify-x509-name {ServerCommonName(p.Name)} name",
            "tls-version-min 1.2", $"data-ciphers {p.DataCiphers}", "allow-compression no",
            "auth-nocache", "verb 3",
        ]);
        lines.AddRange(p.ClientDirectives);
        lines.Add(Inline("ca", c.CaChainPem));
        lines.Add(Inline("cert", c.CertificatePem));
        lines.Add(Inline("key", c.KeyPem));
        lines.Add(Inline(ControlChannelDirective(p), controlChannelKey));
        return string.Join('\n', lines) + "\n";
    }

    private static string Inline(string tag, string pem) => $"<{tag}>\n{pem.Trim()}\n</{tag}>";

    /// <summary>A prefix length as a dotted netmask (what server, route, iroute and ifconfig-push take).</summary>
    public static string Mask(int prefix) =>
        new IPAddress(BitConverter.GetBytes(IPAddress.HostToNetworkOrder(prefix == 0 ? 0 : unchecked((int)(uint.MaxValue << (32 - prefix)))))).ToString();
}
