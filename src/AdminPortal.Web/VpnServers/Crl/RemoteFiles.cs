using System.Text;
using AdminPortal.Data.Hosts;
using AdminPortal.Web.Hosts.Ssh;
using static AdminPortal.Web.Hosts.Ssh.ShellQuote;

namespace AdminPortal.Web.VpnServers.Crl;

/// <summary>A remote command's result: ok, stdout, and for a failure the message to record (stderr's tail or the run status).</summary>
public sealed record RemoteText(bool Ok, string Output, string? Problem);

/// <summary>
/// Small files in a VPN server's config directory (crl.pem, ccd/NAME), written through the host's pooled SSH connection in
/// one channel: the bytes go on stdin to a temporary name beside the target, mode 644 (OpenVPN reads them after it dropped
/// to its run-as user), then rename(2) into place. A rewritten file always gets an mtime in a later whole second than the
/// file it replaces: OpenVPN 2.6 re-reads crl-verify only when the size or the whole-second mtime changed, and a new CRL
/// of the same size written within the same second would be silently ignored.
/// </summary>
public sealed class RemoteFiles(RemoteShell shell)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public Task<RemoteText> WriteAsync(SshTarget target, string path, string content, CancellationToken ct)
    {
        var sudo = Sudo(target);
        var dir = Path.GetDirectoryName(path)!;
        var temp = $"{dir.TrimEnd('/')}/.{Path.GetFileName(path)}.portal-{Guid.NewGuid():N}.tmp";
        var script = $"""
            set -eu
            p={Quote(path)}; t={Quote(temp)}
            trap '{sudo}rm -f -- "$t"' EXIT
            {sudo}mkdir -p -- {Quote(dir)}
            {sudo}tee -- "$t" >/dev/null
            {sudo}chmod 644 -- "$t"
            {FileStamps.LaterSecond(sudo, "p", "t")}
            {sudo}mv -f -- "$t" "$p"
            """;
        return RunAsync(target, new RemoteCommand(script, Timeout, Stdin: Encoding.UTF8.GetBytes(content)), ct);
    }

    /// <summary>A script run as root (through <c>sudo -n sh -c</c> when the login user is not root), with <paramref name="stdin"/>.</summary>
    public Task<RemoteText> RunAsRootAsync(SshTarget target, string script, string stdin, CancellationToken ct) =>
        RunAsync(target, new RemoteCommand($"{Sudo(target)}sh -c {Quote(script)}", Timeout, Stdin: Encoding.UTF8.GetBytes(stdin)), ct);

    public Task<RemoteText> RemoveAsync(SshTarget target, string path, CancellationToken ct) =>
        RunAsync(target, new RemoteCommand($"{Sudo(target)}rm -f -- {Quote(path)}", Timeout), ct);

    /// <summary>The file's text (at most 16 MiB are kept).</summary>
    public Task<RemoteText> ReadAsync(SshTarget target, string path, CancellationToken ct) =>
        RunAsync(target, new RemoteCommand($"{Sudo(target)}cat -- {Quote(path)}", Timeout), ct);

    private async Task<RemoteText> RunAsync(SshTarget target, RemoteCommand command, CancellationToken ct)
    {
        var stdout = new MemoryStream();
        var stderr = new StringBuilder();
        var outcome = await shell.RunAsync(target, command, (err, data) =>
        {
            lock (stdout)
            {
                if (err) { if (stderr.Length < 4096) stderr.Append(Encoding.UTF8.GetString(data)); }
                else if (stdout.Length < 16 << 20) stdout.Write(data);
            }
        }, ct);
        string text;
        lock (stdout) text = Encoding.UTF8.GetString(stdout.ToArray());
        if (outcome.Status == RunStatus.Succeeded) return new RemoteText(true, text, null);
        var why = stderr.ToString().Trim();
        return new RemoteText(false, text, why.Length > 0 ? $"{outcome.Message}: {why}" : outcome.Message ?? outcome.Status);
    }

    private static string Sudo(SshTarget target) => target.User == "root" ? "" : "sudo -n ";
}
