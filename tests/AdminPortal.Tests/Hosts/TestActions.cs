using AdminPortal.Web.Hosts.Actions;
using AdminPortal.Web.Hosts.Ssh;
using AdminPortal.Web.Security;

namespace AdminPortal.Tests.Hosts;

/// <summary>Actions the tests add to the catalog (through its public Add, as later features do) to drive the pool and its limits.</summary>
public static class TestActions
{
    public const string FloodLine = "0123456789 the quick brown fox jumps over the lazy dog";

    /// <summary>The file test.gate leaves on <paramref name="host"/> once its command is under way (before it waits at the gate).</summary>
    public static string StartedFile(string gate, string host) => $"{gate}.{host}.started";

    public static readonly ActionDefinition[] All =
    [
        new("test.sleep", "Sleeps, then says done.", Permissions.ActionsRun,
            [new ParameterSpec("seconds", ParameterType.Integer, "Seconds", Min: 0, Max: 600)], TimeSpan.FromSeconds(3), false,
            (v, _) => new CommandStep(new RemoteCommand($"sleep {ShellQuote.Quote(v["seconds"])}; echo done", TimeSpan.FromSeconds(3)))),
        new("test.wait", "Sleeps with a long timeout (for cancel).", Permissions.ActionsRun,
            [new ParameterSpec("seconds", ParameterType.Integer, "Seconds", Min: 0, Max: 600)], TimeSpan.FromSeconds(60), false,
            (v, _) => new CommandStep(new RemoteCommand($"echo started; sleep {ShellQuote.Quote(v["seconds"])}; echo done", TimeSpan.FromSeconds(60)))),
        new("test.flood", "Writes N MiB of lines to stdout and a line to stderr.", Permissions.ActionsRun,
            [new ParameterSpec("megabytes", ParameterType.Integer, "MiB", Min: 1, Max: 64)], TimeSpan.FromSeconds(60), false,
            (v, _) => new CommandStep(new RemoteCommand(
                $"yes {ShellQuote.Quote(FloodLine)} | head -c $((MEGABYTES * 1048576))", TimeSpan.FromSeconds(60),
                new Dictionary<string, string> { ["MEGABYTES"] = v["megabytes"] }))),
        new("test.echo", "Prints its text parameter, quoted.", Permissions.ActionsRun,
            [new ParameterSpec("text", ParameterType.Text, "Text", Pattern: "(?s).{1,200}")], TimeSpan.FromSeconds(10), false,
            (v, _) => new CommandStep(new RemoteCommand($"printf '%s' {ShellQuote.Quote(v["text"])}", TimeSpan.FromSeconds(10),
                new Dictionary<string, string> { ["PORTAL_TEXT"] = v["text"] }))),
        new("test.env", "Prints an environment variable and stdin.", Permissions.ActionsRun,
            [new ParameterSpec("text", ParameterType.Text, "Text", Pattern: "(?s).{1,200}")], TimeSpan.FromSeconds(10), false,
            (v, _) => new CommandStep(new RemoteCommand("printf '%s|' \"$PORTAL_TEXT\"; cat", TimeSpan.FromSeconds(10),
                new Dictionary<string, string> { ["PORTAL_TEXT"] = v["text"] }, System.Text.Encoding.UTF8.GetBytes(v["text"])))),
        // The host's signal that the command is under way: GATE.HOST.started, left before it waits (tests wait for that file,
        // never for a fixed time). The test opens the gate by creating GATE.
        new("test.gate", "Says started, waits until the gate file exists, then leaves a file named after the host beside it.", Permissions.ActionsRun,
            [new ParameterSpec("gate", ParameterType.Path, "Gate file")], TimeSpan.FromSeconds(60), false,
            (v, h) => new CommandStep(new RemoteCommand(
                $"touch {ShellQuote.Quote(StartedFile(v["gate"], h.Name))}; echo started; while [ ! -e {ShellQuote.Quote(v["gate"])} ]; do sleep 0.05; done; " +
                $"touch {ShellQuote.Quote($"{v["gate"]}.{h.Name}")}; echo done",
                TimeSpan.FromSeconds(60)))),
        new("test.gate.brief", "test.gate with the 3 s timeout of test.sleep (for a host frozen mid-action).", Permissions.ActionsRun,
            [new ParameterSpec("gate", ParameterType.Path, "Gate file")], TimeSpan.FromSeconds(3), false,
            (v, h) => new CommandStep(new RemoteCommand(
                $"touch {ShellQuote.Quote(StartedFile(v["gate"], h.Name))}; echo started; while [ ! -e {ShellQuote.Quote(v["gate"])} ]; do sleep 0.05; done; echo done",
                TimeSpan.FromSeconds(3)))),
    ];
}
