using System.Text;
using AdminPortal.Data.Hosts;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Remote;
using AdminPortal.Web.Security;

namespace AdminPortal.Web.Hosts.Actions;

/// <summary>
/// The built-in actions, each an embedded script under <c>Remote/Scripts/actions/</c> that gets its values as positional
/// arguments or on stdin. Later features (VPN servers, mail) add theirs through <see cref="ActionCatalog.Add"/>.
/// </summary>
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

    private static HostScript Script(string name) => HostScript.Load("actions/" + name);

    private static InvalidInput? UnitAllowed(IReadOnlyDictionary<string, string> values, ManagedHost host) =>
        host.AllowedServices.Contains(values["unit"])
            ? null
            : new InvalidInput("parameters.unit", $"'{values["unit"]}' is not in the service allow-list of host '{host.Name}'.");

    /// <summary>
    /// An account action never touches root or the host's own login user (the account the portal logs in with): disabling
    /// either would lock the host or the portal out. Refused before anything runs; the scripts refuse them too.
    /// </summary>
    public static PortalError? AccountAllowed(IReadOnlyDictionary<string, string> values, ManagedHost host)
    {
        var user = values["username"];
        if (string.Equals(user, "root", StringComparison.Ordinal))
            return new InvalidInput("parameters.username", "'root' cannot be changed by an account action.");
        if (string.Equals(user, host.User, StringComparison.Ordinal))
            return new InvalidInput("parameters.username",
                $"'{user}' is the account the portal logs in with on host '{host.Name}': an account action cannot change it.");
        return null;
    }

    private static IEnumerable<ActionDefinition> BuiltIns()
    {
        yield return new("system.info", "Kernel, uptime, disk and memory use.", Permissions.ActionsRun, [], TimeSpan.FromSeconds(30), false,
            (_, _) => new ScriptStep(Script("system-info"), [], TimeSpan.FromSeconds(30), AsRoot: false));

        yield return new("service.status", "systemd status of a unit from the host's allow-list.", Permissions.ActionsRun, [Unit],
            TimeSpan.FromSeconds(30), false,
            (v, _) => new ScriptStep(Script("service-status"), [v["unit"]], TimeSpan.FromSeconds(30), AsRoot: false),
            UnitAllowed);

        yield return new("service.restart", "Restarts a unit from the host's allow-list.", Permissions.ActionsRun, [Unit],
            TimeSpan.FromSeconds(90), true,
            (v, _) => new ScriptStep(Script("service-restart"), [v["unit"]], TimeSpan.FromSeconds(90)),
            UnitAllowed);

        yield return new("account.create", "Creates a unix user and installs their authorized SSH public key.", Permissions.ActionsRun,
            [UserName, new("publicKey", ParameterType.PublicKey, "Public key", MaxLength: 8192)], TimeSpan.FromSeconds(60), false,
            (v, h) => new ScriptStep(Script("account-create"), [v["username"], h.User], TimeSpan.FromSeconds(60),
                Encoding.UTF8.GetBytes(v["publicKey"] + "\n")),
            AccountAllowed);

        yield return new("account.disable", "Locks a unix user and expires the account, so that no login (key or password) works.",
            Permissions.ActionsRun, [UserName], TimeSpan.FromSeconds(60), true,
            (v, h) => new ScriptStep(Script("account-disable"), [v["username"], h.User], TimeSpan.FromSeconds(60)),
            AccountAllowed);

        yield return new("file.push", "Writes a file as root: made with its owner and mode in a private staging folder beside the target, then renamed into place.",
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
}
