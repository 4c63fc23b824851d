using System.Net;
using AdminPortal.Data.Bundles;
using AdminPortal.Data.VpnServers;
using AdminPortal.Web.Bundles;
using AdminPortal.Web.VpnServers;
using AdminPortal.Web.VpnServers.ClientConfigs;

namespace AdminPortal.UnitTests.VpnServers;

/// <summary>
/// The OpenVPN texts the portal renders, as golden files: a profile's server.conf (tls-crypt and tls-crypt-v2, UDP and TCP), the
/// part a VPN server adds when it is published, the per-user client-config-dir files, and a client's unified .ovpn profile.
/// </summary>
public sealed class OpenVpnConfigTests
{
    private const string Ca = "-----BEGIN CERTIFICATE-----\nQ0EgY2hhaW4=\n-----END CERTIFICATE-----\n";
    private const string Cert = "-----BEGIN CERTIFICATE-----\nY2xpZW50IGNlcnQ=\n-----END CERTIFICATE-----\n";
    private const string Key = "-----BEGIN PRIVATE KEY-----\nY2xpZW50IGtleQ==\n-----END PRIVATE KEY-----\n";
    private const string TlsCrypt = "#\n# 2048 bit OpenVPN static key\n#\n-----BEGIN OpenVPN Static key V1-----\n00112233\n-----END OpenVPN Static key V1-----\n";

    private static VpnProfile Udp() => new()
    {
        Name = "corp", RemoteHosts = ["vpn1.example.test", "vpn2.example.test"], Port = 1194, Protocol = "udp",
        DataCiphers = "AES-256-GCM:AES-128-GCM", ServerNetwork = "10.8.0.0/24", PushRoutes = ["192.168.10.0/24", "172.16.0.0/12"],
        PushDns = ["192.168.10.53"], ClientDirectives = ["mute-replay-warnings", "sndbuf 393216"], EncryptedTlsCryptKey = [], CreatedBy = "test",
    };

    private static VpnProfile TcpV2() => new()
    {
        Name = "lab", RemoteHosts = ["lab.example.test"], Port = 443, Protocol = "tcp", DataCiphers = "CHACHA20-POLY1305",
        ServerNetwork = "10.99.0.0/20", ControlChannel = ControlChannels.TlsCryptV2, EncryptedTlsCryptKey = [], CreatedBy = "test",
    };

    private static VpnServer Server() => new()
    {
        Name = "office-1", ConfigDir = "/etc/openvpn/server/office-1", RunMode = VpnRunMode.Systemd, ServiceName = "openvpn-server@office-1",
        ManagementSocket = "/run/openvpn-server/office-1.sock", RunAsUser = "nobody", RunAsGroup = "nogroup",
        ServerDirectives = ["verb 4", "max-clients 200"], CreatedBy = "test",
    };

    [Fact]
    public void A_udp_tls_crypt_profile_renders_its_server_conf() => Golden.Assert("server-conf-udp-tls-crypt", OpenVpnConfigs.ServerConf(Udp()));

    [Fact]
    public void A_tcp_tls_crypt_v2_profile_renders_its_server_conf() => Golden.Assert("server-conf-tcp-tls-crypt-v2", OpenVpnConfigs.ServerConf(TcpV2()));

    [Fact]
    public void A_published_server_conf_is_the_profile_s_plus_the_server_s_part_with_the_users_routes()
    {
        var routes = ClientConfigFiles.ServerRouteLines(["192.168.50.0/24", "10.20.0.0/16", "192.168.50.0/24"]);
        Golden.Assert("server-conf-published", OpenVpnConfigs.ServerConf(Udp()) + ServerFiles.ServerPart(Server(), routes));
    }

    [Fact]
    public void A_client_profile_carries_everything_inline() =>
        Golden.Assert("client-udp-tls-crypt.ovpn", OpenVpnConfigs.ClientProfile(Udp(), "alice", new ClientCredentials(Ca, Cert, Key), TlsCrypt));

    [Fact]
    public void A_tls_crypt_v2_client_profile_carries_its_own_client_key_under_the_v2_tag() =>
        Golden.Assert("client-tcp-tls-crypt-v2.ovpn", OpenVpnConfigs.ClientProfile(TcpV2(), "bob", new ClientCredentials(Ca, Cert, Key),
            "-----BEGIN OpenVPN tls-crypt-v2 client key-----\nY2xpZW50LXYy\n-----END OpenVPN tls-crypt-v2 client key-----\n"));

    [Fact]
    public void A_ccd_file_holds_the_static_address_with_the_network_s_mask_and_one_iroute_per_route() =>
        Golden.Assert("ccd-address-and-routes", ClientConfigFiles.Render("10.99.12.7", ["192.168.50.0/24", "10.20.0.0/16"], "10.99.0.0/20")!);

    [Fact]
    public void A_ccd_file_with_only_routes_pushes_no_address() =>
        Assert.Equal("iroute 192.168.50.0 255.255.255.0\n", ClientConfigFiles.Render(null, ["192.168.50.0/24"], "10.8.0.0/24"));

    [Fact]
    public void A_user_with_nothing_set_has_no_ccd_file() => Assert.Null(ClientConfigFiles.Render(null, [], "10.8.0.0/24"));

    [Fact]
    public void The_server_s_route_lines_are_distinct_and_sorted() =>
        Assert.Equal(["route 10.20.0.0 255.255.0.0", "route 192.168.50.0 255.255.255.0"],
            ClientConfigFiles.ServerRouteLines(["192.168.50.0/24", "10.20.0.0/16", "192.168.50.0/24"]));

    [Theory]
    [InlineData(0, "0.0.0.0")]
    [InlineData(8, "255.0.0.0")]
    [InlineData(20, "255.255.240.0")]
    [InlineData(24, "255.255.255.0")]
    [InlineData(31, "255.255.255.254")]
    [InlineData(32, "255.255.255.255")]
    public void A_prefix_length_is_the_dotted_netmask(int prefix, string mask) => Assert.Equal(mask, OpenVpnConfigs.Mask(prefix));

    [Theory]
    [InlineData("10.8.0.0/24", "10.8.0.2", "10.8.0.191", "10.8.0.192", "10.8.0.254")]
    [InlineData("10.99.0.0/20", "10.99.0.2", "10.99.11.255", "10.99.12.0", "10.99.15.254")]
    public void The_dynamic_pool_is_the_lower_three_quarters_and_the_static_range_the_top_quarter(string network, string poolFirst, string poolLast,
        string staticFirst, string staticLast)
    {
        var net = IPNetwork.Parse(network);
        Assert.Equal((IPAddress.Parse(poolFirst), IPAddress.Parse(poolLast)), OpenVpnConfigs.PoolRange(net));
        Assert.Equal((IPAddress.Parse(staticFirst), IPAddress.Parse(staticLast)), OpenVpnConfigs.StaticRange(net));
    }
}
