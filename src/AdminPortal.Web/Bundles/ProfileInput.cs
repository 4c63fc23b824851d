using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using AdminPortal.Data.Bundles;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Pki;

namespace AdminPortal.Web.Bundles;

public sealed record CreateProfileRequest(
    string? Name, string? RemoteHost, int? Port, string? Protocol,
    string[]? RemoteHosts = null, string[]? DataCiphers = null, string? ServerNetwork = null,
    string[]? PushRoutes = null, string[]? PushDns = null, string[]? ClientDirectives = null, string? ControlChannel = null);

/// <summary>A profile request after validation: every value here is safe to write into an OpenVPN config.</summary>
public sealed record ValidProfile(
    string Name, string[] RemoteHosts, int Port, string Protocol, string DataCiphers, string ServerNetwork,
    string[] PushRoutes, string[] PushDns, string[] ClientDirectives, string ControlChannel);

/// <summary>
/// Validation of VPN profiles. Extra client directives come from an allow-list of harmless ones: nothing that
/// runs a program (<c>script-security</c>, <c>up</c>, <c>plugin</c>...), reads or writes a file, or changes
/// where the profile's trust comes from.
/// </summary>
public static partial class ProfileInput
{
    public static readonly string[] Ciphers = ["AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305"];

    public static readonly IReadOnlySet<string> AllowedDirectives = new HashSet<string>(StringComparer.Ordinal)
    {
        "verb", "mute", "auth-nocache", "connect-retry", "connect-retry-max", "server-poll-timeout", "resolv-retry",
        "explicit-exit-notify", "mssfix", "tun-mtu", "sndbuf", "rcvbuf", "redirect-gateway", "block-outside-dns",
        "route-nopull", "route", "route-ipv6", "dhcp-option", "hand-window", "reneg-sec", "float", "fast-io", "inactive", "ping", "ping-restart",
    };

    /// <summary>Directives refused with a pointed reason: each would let a profile run programs on the client or read its files.</summary>
    public static readonly IReadOnlySet<string> DangerousDirectives = new HashSet<string>(StringComparer.Ordinal)
    {
        "script-security", "up", "down", "plugin", "route-up", "route-pre-down", "ipchange", "tls-verify", "client-connect",
        "client-disconnect", "learn-address", "auth-user-pass-verify", "setenv", "setenv-safe", "up-restart", "iproute",
        "config", "cd", "chroot", "daemon", "log", "log-append", "writepid", "management", "askpass", "auth-user-pass",
        "tls-export-cert", "status", "dev-node", "ifconfig", "tmp-dir", "ca", "cert", "key", "tls-crypt", "tls-crypt-v2", "tls-auth", "pkcs12",
    };

    /// <summary>Dot-separated labels of 1-63 letters, digits or '-' (not starting with '-'); the length limit of 253 is checked apart.</summary>
    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9-]{0,62}(?:\.[A-Za-z0-9][A-Za-z0-9-]{0,62})*\z", InputText.Linear)]
    private static partial Regex HostName();

    [GeneratedRegex(@"\A[A-Za-z0-9._:/!-]{1,64}\z", InputText.Linear)]
    private static partial Regex DirectiveArgument();

    public static Result<ValidProfile> Validate(CreateProfileRequest r)
    {
        if (PkiInput.Name(r.Name) is { } badName) return badName;
        var hosts = (r.RemoteHosts ?? []).Concat(r.RemoteHost is null ? [] : [r.RemoteHost]).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        if (hosts.Length is 0 or > 8)
            return new InvalidInput("remoteHost", "Give the server's address (remoteHost), or up to 8 in remoteHosts.");
        if (hosts.FirstOrDefault(h => !IsHost(h)) is { } badHost)
            return new InvalidInput("remoteHost", $"'{InputText.Printable(badHost)}' is not a host name or IP address.");
        if (r.Port is not (>= 1 and <= 65535)) return new InvalidInput("port", "port must be between 1 and 65535.");
        if (r.Protocol is not ("udp" or "tcp")) return new InvalidInput("protocol", "protocol must be udp or tcp.");
        var ciphers = r.DataCiphers ?? Ciphers;
        if (ciphers.Length == 0 || ciphers.Any(c => !Ciphers.Contains(c)))
            return new InvalidInput("dataCiphers", $"dataCiphers are chosen from {string.Join(", ", Ciphers)}.");
        var network = r.ServerNetwork ?? "10.8.0.0/24";
        if (!IsV4Network(network) || IPNetwork.Parse(network) is not { PrefixLength: >= 8 and <= 29 } net)
            return new InvalidInput("serverNetwork", "serverNetwork is an IPv4 network in CIDR form, /8 to /29 (e.g. 10.8.0.0/24).");
        var routes = r.PushRoutes ?? [];
        if (routes.Length > 64) return new InvalidInput("pushRoutes", "At most 64 pushed routes.");
        if (routes.FirstOrDefault(x => !IsV4Network(x)) is { } badRoute)
            return new InvalidInput("pushRoutes", $"'{InputText.Printable(badRoute)}' is not an IPv4 network in CIDR form (e.g. 10.0.0.0/16).");
        var dns = r.PushDns ?? [];
        if (dns.Length > 4 || dns.Any(d => !IPAddress.TryParse(d, out var a) || a.ToString() != d))
            return new InvalidInput("pushDns", "pushDns is up to 4 IP addresses.");
        var directives = new List<string>();
        foreach (var line in r.ClientDirectives ?? [])
        {
            if (Directive(line) is { Ok: false } bad) return bad.Error!;
            directives.Add(string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
        }
        if (directives.Count > 32) return new InvalidInput("clientDirectives", "At most 32 extra client directives.");
        var controlChannel = r.ControlChannel ?? ControlChannels.TlsCrypt;
        if (!ControlChannels.All.Contains(controlChannel))
            return new InvalidInput("controlChannel", $"controlChannel is {string.Join(" or ", ControlChannels.All)}.");
        return new ValidProfile(r.Name!, hosts, r.Port.Value, r.Protocol, string.Join(':', ciphers.Distinct()), net.ToString(),
            routes.Select(x => IPNetwork.Parse(x).ToString()).ToArray(), dns, directives.ToArray(), controlChannel);
    }

    public static Result<bool> Directive(string? line)
    {
        var parts = (line ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || (line ?? "").Any(char.IsControl))
            return new InvalidInput("clientDirectives", "A client directive is one line: a directive name and its arguments.");
        var name = parts[0].TrimStart('-');
        if (DangerousDirectives.Contains(name))
            return new InvalidInput("clientDirectives", $"'{InputText.Printable(name)}' is not allowed: it could make a client run programs or read files, or replace the profile's keys.");
        if (!AllowedDirectives.Contains(name))
            return new InvalidInput("clientDirectives", $"'{InputText.Printable(name)}' is not an allowed client directive. Allowed: {string.Join(", ", AllowedDirectives.Order())}.");
        if (parts.Length > 5 || parts.Skip(1).Any(a => !DirectiveArgument().IsMatch(a)))
            return new InvalidInput("clientDirectives", $"The arguments of '{name}' may hold only letters, digits and . _ : / ! - (at most 4).");
        return true;
    }

    /// <summary>An IPv4 network whose address has no bits past its prefix (10.0.0.0/8, not 10.0.0.1/8).</summary>
    private static bool IsV4Network(string? x) =>
        x is not null && IPNetwork.TryParse(x, out var n) && n.BaseAddress.AddressFamily == AddressFamily.InterNetwork
        && IPAddress.TryParse(x.Split('/')[0], out var given) && given.Equals(n.BaseAddress); // .NET masks 10.0.0.1/8 silently

    private static bool IsHost(string h) =>
        IPAddress.TryParse(h, out var ip) ? ip.ToString() == h || h.Contains(':') : h.Length <= 253 && HostName().IsMatch(h) && !h.All(c => char.IsDigit(c) || c == '.');

}
