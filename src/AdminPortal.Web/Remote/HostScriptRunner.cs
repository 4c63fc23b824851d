using System.Text;
using AdminPortal.Data.Hosts;
using AdminPortal.Web.Hosts.Ssh;

namespace AdminPortal.Web.Remote;

/// <summary>What a host script printed and how it ended.</summary>
public sealed record ScriptResult(RemoteOutcome Outcome, byte[] Stdout, string Stderr)
{
    public bool Succeeded => Outcome.Status == RunStatus.Succeeded;

    /// <summary>The script's own exit code (<see cref="ScriptExit"/>), or null when it did not run to an exit.</summary>
    public ScriptExit? Exit => ScriptExits.Of(Outcome.ExitCode);

    public string Text => Encoding.UTF8.GetString(Stdout);

    /// <summary>For the operator: the connection's message or the exit, with stderr's last lines.</summary>
    public string Problem => Succeeded ? "" : (Outcome.Message ?? Outcome.Status) + (Stderr.Length > 0 ? $": {Stderr}" : "");
}

/// <summary>
/// Runs a <see cref="HostScript"/> as root on a host through the pooled connection (<see cref="RemoteShell"/>), with its
/// arguments and stdin, and collects stdout (at most 16 MiB) and stderr (at most 4 KiB, its tail), or streams them to a
/// run's output. The only way product code runs a script on a host.
/// </summary>
public sealed class HostScriptRunner(RemoteShell shell)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private const int MaxStdout = 16 << 20;
    private const int MaxStderr = 4096;

    public async Task<ScriptResult> RunAsync(SshTarget target, HostScript script, IReadOnlyList<string> args, byte[]? stdin,
        CancellationToken ct, TimeSpan? timeout = null)
    {
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var outcome = await StreamAsync(target, script, args, stdin, (err, data) =>
        {
            lock (stdout)
            {
                if (!err) { if (stdout.Length + data.Length <= MaxStdout) stdout.Write(data); }
                else stderr.Write(data);
            }
        }, ct, timeout);
        lock (stdout) return new ScriptResult(outcome, stdout.ToArray(), Tail(stderr.ToArray()));
    }

    /// <summary>As <see cref="RunAsync"/>, with the output handed to <paramref name="output"/> as it arrives (a run's log).</summary>
    public Task<RemoteOutcome> StreamAsync(SshTarget target, HostScript script, IReadOnlyList<string> args, byte[]? stdin,
        OutputWriter output, CancellationToken ct, TimeSpan? timeout = null) =>
        shell.RunAsync(target, new RemoteCommand(RootCommand.For(target.User, script, args), timeout ?? DefaultTimeout, Stdin: stdin), output, ct);

    /// <summary>As <see cref="StreamAsync"/>, as the login user instead of root (<see cref="RootCommand.AsLoginUser"/>): for scripts that only read.</summary>
    public Task<RemoteOutcome> StreamAsLoginUserAsync(SshTarget target, HostScript script, IReadOnlyList<string> args, byte[]? stdin,
        OutputWriter output, CancellationToken ct, TimeSpan? timeout = null) =>
        shell.RunAsync(target, new RemoteCommand(RootCommand.AsLoginUser(script, args), timeout ?? DefaultTimeout, Stdin: stdin), output, ct);

    private static string Tail(byte[] stderr)
    {
        var text = Encoding.UTF8.GetString(stderr).Trim();
        return text.Length <= MaxStderr ? text : text[^MaxStderr..];
    }
}
