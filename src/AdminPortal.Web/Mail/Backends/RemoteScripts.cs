using System.Text;
using AdminPortal.Data.Hosts;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosts.Ssh;

namespace AdminPortal.Web.Mail.Backends;

/// <summary>What a remote script printed and how it ended.</summary>
public sealed record ScriptResult(RemoteOutcome Outcome, byte[] Stdout, string Stderr)
{
    public bool Succeeded => Outcome.Status == RunStatus.Succeeded;
}

/// <summary>
/// Runs a mail backend's shell script on its host through <see cref="RemoteShell"/>, as root (<c>sudo -n</c> unless the
/// login user is root), and collects its output. Scripts are built from constants and quoted values only.
/// </summary>
public sealed class RemoteScripts(RemoteShell shell)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public async Task<ScriptResult> RunAsync(SshTarget target, string script, byte[]? stdin, CancellationToken ct)
    {
        var command = target.User == "root" ? script : $"sudo -n sh -c {ShellQuote.Quote(script)}";
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var outcome = await shell.RunAsync(target, new RemoteCommand(command, Timeout, Stdin: stdin), (err, data) =>
        {
            var into = err ? stderr : stdout;
            lock (into) into.Write(data);
        }, ct);
        return new ScriptResult(outcome, stdout.ToArray(), Encoding.UTF8.GetString(stderr.ToArray()).Trim());
    }

    /// <summary>The failure to report: the connection's error (host key, unreachable) or the script's exit and stderr.</summary>
    public static PortalError Failure(SshTarget target, ScriptResult r) =>
        r.Outcome.Error ?? new MailHostFailed(target.Host,
            (r.Outcome.Message ?? r.Outcome.Status) + (r.Stderr.Length > 0 ? $": {InputText.Printable(r.Stderr, 300)}" : ""));
}
