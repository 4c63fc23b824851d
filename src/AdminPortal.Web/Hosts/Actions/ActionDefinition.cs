using AdminPortal.Data.Hosts;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosts.Ssh;
using AdminPortal.Web.Remote;

namespace AdminPortal.Web.Hosts.Actions;

/// <summary>What an action does on one host: a host script, a command, or a file written as root (<see cref="FilePush"/>).</summary>
public abstract record ActionStep;

/// <summary>
/// An embedded host script (<c>Remote/Scripts/actions/…</c>) with its values as positional arguments and on stdin, run as
/// root (<see cref="RootCommand"/> decides how) or, for a script that only reads, as the login user.
/// </summary>
public sealed record ScriptStep(HostScript Script, IReadOnlyList<string> Args, TimeSpan Timeout, byte[]? Stdin = null, bool AsRoot = true) : ActionStep;

/// <summary>A command line built from constants and quoted values (for actions added outside the built-in catalog).</summary>
public sealed record CommandStep(RemoteCommand Command) : ActionStep;

public sealed record UploadStep(string Path, byte[] Content, string Owner, string Mode, TimeSpan Timeout) : ActionStep;

/// <summary>
/// A catalog entry. <see cref="Build"/> gets validated values and must put them into commands only quoted, via stdin
/// or via environment variables: never interpolated raw.
/// </summary>
public sealed record ActionDefinition(
    string Name, string Description, string Permission, IReadOnlyList<ParameterSpec> Parameters, TimeSpan Timeout, bool NeedsConfirmation,
    Func<IReadOnlyDictionary<string, string>, ManagedHost, ActionStep> Build,
    Func<IReadOnlyDictionary<string, string>, ManagedHost, PortalError?>? CheckHost = null);
