using System.Text;
using AdminPortal.Data.Hosts;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosts.Ssh;
using AdminPortal.Web.Security;
using static AdminPortal.Web.Hosts.Ssh.ShellQuote;

namespace AdminPortal.Web.Hosts.Actions;

/// <summary>The built-in actions. Later features (VPN servers, mail) add theirs through <see cref="ActionCatalog.Add"/>.</summary>
public sealed class ActionCatalog
{
    private readonly Dictionary<string, ActionDefinition> _actions = new(StringComparer.Ordinal);

    public ActionCatalog()
    {
        foreach (var a in BuiltIns()) Add(a);
    }

    public void Add(ActionDefinition action) => _actions.Add(action.Name, action);

    public IReadOnlyList<ActionDefinition> All => _actions.Values.OrderBy(a => a.Name, StringComparer.Ordinal).ToList();

    public ActionDefinition? Find(string? name) => name is not null && _actions.TryGetValue(name, out var a) ? a : null;

    private static readonly ParameterSpec Unit = new("unit", ParameterType.Text, "Unit", Pattern: "[A-Za-z0-9@_:.-]{1,128}", MaxLength: 128);
    private static readonly ParameterSpec UserName = new("username", ParameterType.UnixUser, "User name", MaxLength: 32);

    /// <summary>Commands needing root are prefixed with a non-interactive sudo unless the login user is root.</summary>
    private static string Sudo(ManagedHost host) => host.User == "root" ? "" : "sudo -n ";

    private static InvalidInput? UnitAllowed(IReadOnlyDictionary<string, string> values, ManagedHost host) =>
        host.AllowedServices.Contains(values["unit"])
            ? null
            : new InvalidInput("parameters.unit", $"'{values["unit"]}' is not in the service allow-list of host '{host.Name}'.");

    private static IEnumerable<ActionDefinition> BuiltIns()
    {
        yield return new("system.info", "Kernel, uptime, disk and memory use.", Permissions.ActionsRun, [], TimeSpan.FromSeconds(30), false,
            (_, _) => new CommandStep(new RemoteCommand("uname -a; echo; uptime; echo; df -h /; echo; free -m 2>/dev/null || true", TimeSpan.FromSeconds(30))));

        yield return new("service.status", "systemd status of a unit from the host's allow-list.", Permissions.ActionsRun, [Unit],
            TimeSpan.FromSeconds(30), false,
            (v, _) => new CommandStep(new RemoteCommand($"systemctl status --no-pager -- {Quote(v["unit"])}", TimeSpan.FromSeconds(30))),
            UnitAllowed);

        yield return new("service.restart", "Restarts a unit from the host's allow-list.", Permissions.ActionsRun, [Unit],
            TimeSpan.FromSeconds(90), true,
            (v, h) => new CommandStep(new RemoteCommand(
                $"{Sudo(h)}systemctl restart -- {Quote(v["unit"])} && systemctl is-active -- {Quote(v["unit"])}", TimeSpan.FromSeconds(90))),
            UnitAllowed);

        yield return new("account.create", "Creates a unix user and installs their authorized SSH public key.", Permissions.ActionsRun,
            [UserName, new("publicKey", ParameterType.PublicKey, "Public key", MaxLength: 8192)], TimeSpan.FromSeconds(60), false,
            (v, h) => new CommandStep(new RemoteCommand(CreateAccount(v["username"], Sudo(h)), TimeSpan.FromSeconds(60),
                Stdin: Encoding.UTF8.GetBytes(v["publicKey"] + "\n"))));

        yield return new("account.disable", "Locks a unix user and expires the account, so that no login (key or password) works.",
            Permissions.ActionsRun, [UserName], TimeSpan.FromSeconds(60), true,
            (v, h) => new CommandStep(new RemoteCommand(
                $"u={Quote(v["username"])}\n{Sudo(h)}usermod -L -e 1 -- \"$u\" && echo \"disabled $u\"", TimeSpan.FromSeconds(60))));

        yield return new("file.push", "Uploads a file over SFTP to a temporary name, sets owner and mode, then renames it into place.",
            Permissions.ActionsRun,
            [
                new("path", ParameterType.Path, "Path", MaxLength: 1024),
                new("content", ParameterType.Content, "Content", MaxLength: 48 * 1024),
                new("owner", ParameterType.UnixUser, "Owner", Required: false, MaxLength: 32),
                new("mode", ParameterType.Text, "Mode", Required: false, Pattern: "0?[0-7]{3}", MaxLength: 4),
            ], TimeSpan.FromSeconds(60), true,
            (v, h) => new UploadStep(v["path"], Encoding.UTF8.GetBytes(v["content"]), v["owner"] is "" ? h.User : v["owner"],
                v["mode"] is "" ? "644" : v["mode"].TrimStart('0').PadLeft(3, '0'), TimeSpan.FromSeconds(60)));
    }

    /// <summary>The user name is validated and quoted; the key arrives on stdin, so neither can change the script.</summary>
    private static string CreateAccount(string user, string sudo) => $"""
        set -eu
        u={Quote(user)}
        {sudo}useradd -m -s /bin/bash -- "$u"
        {sudo}usermod -p '*' -- "$u"
        h=$(getent passwd "$u" | cut -d: -f6)
        {sudo}install -d -m 700 -o "$u" -g "$u" -- "$h/.ssh"
        {sudo}tee -- "$h/.ssh/authorized_keys" >/dev/null
        {sudo}chown -- "$u:" "$h/.ssh/authorized_keys"
        {sudo}chmod 600 -- "$h/.ssh/authorized_keys"
        echo "created $u with home $h"
        """;
}
