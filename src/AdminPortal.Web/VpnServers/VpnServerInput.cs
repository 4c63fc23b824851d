using System.Text.RegularExpressions;
using AdminPortal.Data.VpnServers;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosts;

namespace AdminPortal.Web.VpnServers;

public sealed record CreateVpnServerRequest(string? Name, string? Host, string? Profile, string? ConfigDir = null, string? RunMode = null,
    string? ServiceName = null, string? NetNamespace = null, string? ManagementSocket = null, string? User = null, string? Group = null,
    IReadOnlyList<string>? ServerDirectives = null);

/// <summary>A request with every default filled in and every field checked: what is stored and what reaches a shell (quoted).</summary>
public sealed record ValidVpnServer(string Name, string Host, string Profile, string ConfigDir, string RunMode, string ServiceName,
    string? NetNamespace, string ManagementSocket, string User, string Group, string[] ServerDirectives);

/// <summary>Checks of VPN server fields; paths are absolute, plain (no '..', no spaces or shell characters) and short.</summary>
public static partial class VpnServerInput
{
    /// <summary>sun_path holds 108 bytes; leave room for OpenVPN's own handling.</summary>
    public const int MaxSocketPath = 100;

    public static Result<ValidVpnServer> Validate(CreateVpnServerRequest r)
    {
        if ((HostInput.Name("name", r.Name) ?? HostInput.Name("host", r.Host) ?? HostInput.Name("profile", r.Profile)) is { } bad) return bad;
        var configDir = r.ConfigDir ?? $"/etc/openvpn/server/{r.Name}";
        if (Path("configDir", configDir, 200) is { } badDir) return badDir;
        configDir = configDir.TrimEnd('/');
        var mode = r.RunMode ?? VpnRunMode.Systemd;
        if (mode is not (VpnRunMode.Systemd or VpnRunMode.Daemon))
            return new InvalidInput("runMode", "runMode must be 'systemd' or 'daemon'.");
        var service = r.ServiceName ?? $"openvpn-server@{r.Name}.service";
        if (!UnitRx().IsMatch(service))
            return new InvalidInput("serviceName", "serviceName must be a systemd unit name (letters, digits, '@', '_', ':', '.', '-'; not starting with '-').");
        if (Namespace(r.NetNamespace, mode) is { } badNs) return badNs;
        var socket = r.ManagementSocket ?? $"{configDir}/mgmt.sock";
        if (Path("managementSocket", socket, MaxSocketPath) is { } badSocket) return badSocket;
        var user = r.User ?? "nobody";
        var group = r.Group ?? "nogroup";
        if (!UnixNameRx().IsMatch(user)) return new InvalidInput("user", "user must be a unix user name (lower-case letters, digits, '_' or '-', at most 32).");
        if (!UnixNameRx().IsMatch(group)) return new InvalidInput("group", "group must be a unix group name (lower-case letters, digits, '_' or '-', at most 32).");
        var directives = ServerDirectiveList.Validate(r.ServerDirectives);
        if (!directives.Ok) return directives.Error!;
        return new ValidVpnServer(r.Name!, r.Host!, r.Profile!, configDir, mode, service, r.NetNamespace, socket, user, group, directives.Value!);
    }

    public static InvalidInput? Namespace(string? ns, string mode) =>
        ns is null ? null
        : !NamespaceRx().IsMatch(ns) ? new InvalidInput("netNamespace", "netNamespace must be 1-32 lower-case letters, digits or '-'.")
        : mode != VpnRunMode.Daemon ? new InvalidInput("netNamespace", "netNamespace is only possible with runMode 'daemon' (the portal starts OpenVPN itself).")
        : null;

    public static InvalidInput? Path(string field, string? value, int maxLength) =>
        value is not null && value.Length <= maxLength && PathRx().IsMatch(value) && !value.Split('/').Any(s => s is "." or "..") && value != "/"
            ? null
            : new InvalidInput(field, $"{field} must be an absolute path of at most {maxLength} characters: letters, digits, '/', '.', '_', '-' (no '..').");

    // One way only to split a path into segments (the old "(?:[...]+/?)+" had 2^n, and backtracked through them all).
    [GeneratedRegex(@"\A(?:/[A-Za-z0-9._-]+)+/?\z", InputText.Linear)]
    private static partial Regex PathRx();

    [GeneratedRegex(@"\A[A-Za-z0-9@_:.][A-Za-z0-9@_:.-]{0,127}\z", InputText.Linear)]
    private static partial Regex UnitRx();

    [GeneratedRegex(@"\A[a-z0-9-]{1,32}\z", InputText.Linear)]
    private static partial Regex NamespaceRx();

    [GeneratedRegex(@"\A[a-z_][a-z0-9_-]{0,31}\z", InputText.Linear)]
    private static partial Regex UnixNameRx();
}
