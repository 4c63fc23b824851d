using AdminPortal.Web.Hosts.Ssh;
using AdminPortal.Web.Remote;

namespace AdminPortal.Web.Hosts.Actions;

/// <summary>
/// file.push: the content goes on stdin to <c>atomic-write.sh</c>, run as root (<see cref="RootCommand"/>: a root login
/// or <c>sudo -n</c>). The file is made in a private staging folder (0700, root's) with its final owner and mode before
/// any byte arrives, then renamed over the target with <c>mv -T</c>: another account that can write the target's folder
/// can neither redirect the write through a symlink nor read the content while it is in flight. The owner's login group
/// becomes the file's group.
/// </summary>
public sealed class FilePush(HostScriptRunner runner)
{
    private static readonly HostScript Writer = HostScript.Load("atomic-write");

    public Task<RemoteOutcome> PushAsync(SshTarget target, UploadStep step, OutputWriter output, CancellationToken ct) =>
        runner.StreamAsync(target, Writer, [step.Path, step.Owner, "", step.Mode], step.Content, output, ct, step.Timeout);
}
