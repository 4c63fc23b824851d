using System.Globalization;
using AdminPortal.Data.VpnServers;
using AdminPortal.Web.Remote;

namespace AdminPortal.Web.VpnServers;

/// <summary>
/// The host scripts of a VPN server (<c>Remote/Scripts/vpn/*.sh</c>, run as root by <see cref="HostScriptRunner"/>) and the
/// arguments each gets: every value is a positional argument or stdin, never part of a script's text. The scripts that change
/// the config directory take the publishes' lock (<see cref="LockFile"/>) and go on only if the host's records are still what
/// the portal read (<see cref="HostRecords"/>): the decisions (which CRL is newer, which publish wins) are made here, in C#.
/// </summary>
public static class PublishScripts
{
    public const string Previous = ".previous";

    /// <summary>The host's record of the highest publish generation installed in the config directory.</summary>
    public const string GenerationFile = ".adminportal-publish-generation";

    /// <summary>What the scripts that change the config directory hold (<c>flock</c>) while they compare and change its records.</summary>
    public const string LockFile = ".adminportal-publish.lock";

    /// <summary>
    /// The host's record of the cRLNumber(s) of the installed crl.pem (<see cref="CrlStamp"/>), written under <see cref="LockFile"/>
    /// whenever crl.pem is: a publish or a CRL push with an older CRL keeps the installed one, so the CRL never goes backwards.
    /// </summary>
    public const string CrlNumberFile = ".adminportal-crl-number";

    /// <summary>Each ccd file's last push generation: a publish rendered before that push keeps the pushed file.</summary>
    public const string ClientConfigJournal = ".adminportal-ccd-generations";

    /// <summary>What a CRL push reports when the host's CRL is as new as the pushed one or newer.</summary>
    public const string CrlAlreadyInstalled = "already has CRL number";

    public static readonly HostScript State = HostScript.Load("vpn/state");
    public static readonly HostScript Install = HostScript.Load("vpn/packages");
    public static readonly HostScript Prepare = HostScript.Load("vpn/prepare");
    public static readonly HostScript Stage = HostScript.Load("vpn/stage");
    public static readonly HostScript Discard = HostScript.Load("vpn/discard");
    public static readonly HostScript Check = HostScript.Load("vpn/check");
    public static readonly HostScript BackupAndInstall = HostScript.Load("vpn/install");
    public static readonly HostScript Restore = HostScript.Load("vpn/restore");
    public static readonly HostScript Restart = HostScript.Load("vpn/restart");
    public static readonly HostScript Health = HostScript.Load("vpn/health");
    public static readonly HostScript Fetch = HostScript.Load("vpn/fetch");
    public static readonly HostScript Management = HostScript.Load("vpn/management");
    public static readonly HostScript CrlPush = HostScript.Load("vpn/crl-push");
    public static readonly HostScript ClientConfigWrite = HostScript.Load("vpn/ccd-write");
    public static readonly HostScript Read = HostScript.Load("vpn/read");

    /// <summary>Each publish stages in a folder of its own, so that a late one never installs (or removes) another's files.</summary>
    public static string Staged(long generation) => $".staged-{generation.ToString(CultureInfo.InvariantCulture)}";

    public static string LogFile(VpnServer s) => s.ConfigDir + "/openvpn.log";

    public static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>With <c>[CONFIGDIR, GENERATION]</c>: prepare, stage, discard.</summary>
    public static string[] Staging(VpnServer s, long generation) => [s.ConfigDir, Number(generation)];

    public static string[] CheckArgs(VpnServer s, long generation) => [s.ConfigDir, Number(generation), s.NetNamespace ?? ""];

    public static string[] InstallArgs(VpnServer s, long generation, string token, bool keepCrl, IEnumerable<string> pushedAfter) =>
        [s.ConfigDir, Number(generation), token, keepCrl ? "1" : "0", .. pushedAfter];

    public static string[] RestoreArgs(VpnServer s, string token, bool keepCrl) => [s.ConfigDir, token, keepCrl ? "1" : "0"];

    /// <summary>Restart, fenced on the host's generation being <paramref name="generation"/>.</summary>
    public static string[] RestartArgs(VpnServer s, long generation) =>
        [s.ConfigDir, HostRecords.GenerationToken(generation), RunMode(s), s.ServiceName, s.Name, s.NetNamespace ?? "", s.ManagementSocket];

    public static string[] HealthArgs(VpnServer s) => [s.ConfigDir, RunMode(s), s.ServiceName, s.ManagementSocket];

    private static string RunMode(VpnServer s) => s.RunMode == VpnRunMode.Systemd ? "systemd" : "daemon";
}
