using AdminPortal.Data.Hosts;
using AdminPortal.Web.Hosts.Actions;
using Microsoft.Extensions.Options;
using Renci.SshNet;
using static AdminPortal.Web.Hosts.Ssh.ShellQuote;

namespace AdminPortal.Web.Hosts.Ssh;

/// <summary>
/// SFTP (a connection of its own, same host key check) uploads to a temporary name beside the target; then, through the
/// pool, owner and mode are set and the file is renamed into place. NOT safe in a folder another account can write (the
/// chown/chmod by path follow a planted symlink): file.push no longer uses it (<see cref="Actions.FilePush"/>); only the
/// VPN publish staging still does, until it moves onto <c>atomic-write.sh</c> too. Then delete this class.
/// </summary>
public sealed class SftpPush(SshKeys keys, RemoteShell shell, IOptions<HostsOptions> options)
{
    public async Task<RemoteOutcome> PushAsync(SshTarget target, UploadStep step, OutputWriter output, CancellationToken ct)
    {
        var dir = Path.GetDirectoryName(step.Path)!;
        var temp = $"{dir.TrimEnd('/')}/.{Path.GetFileName(step.Path)}.portal-{Guid.NewGuid():N}.tmp";
        var key = await keys.LoadAsync(target.CredentialId, ct);
        using (var sftp = new SftpClient(target.ConnectionInfo(key, options.Value.ConnectTimeout)))
        {
            var seen = HostKeyCheck.Attach(sftp, target.TrustedFingerprint);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(step.Timeout);
            try
            {
                await sftp.ConnectAsync(cts.Token);
                using var content = new MemoryStream(step.Content);
                await sftp.UploadFileAsync(content, temp, cts.Token);
            }
            catch (Exception e) when (HostKeyCheck.IsConnectFault(e) || e is Renci.SshNet.Common.SftpPermissionDeniedException)
            {
                if (seen() is { } presented && presented.Fingerprint != target.TrustedFingerprint)
                {
                    var mismatch = new HostKeyMismatch(target.Host, target.TrustedFingerprint, presented.Fingerprint);
                    return new RemoteOutcome(RunStatus.Refused, null, mismatch.Detail, mismatch);
                }
                if (ct.IsCancellationRequested) return new RemoteOutcome(RunStatus.Cancelled, null, "cancelled by an operator during the upload");
                return new RemoteOutcome(RunStatus.Error, null, $"the upload failed: {HostKeyCheck.Describe(e, step.Timeout)}");
            }
        }
        var sudo = target.User == "root" ? "" : "sudo -n ";
        var script = $"""
            set -eu
            t={Quote(temp)}
            trap 'rm -f -- "$t"' EXIT
            {sudo}chown -- {Quote(step.Owner + ":")} "$t"
            {sudo}chmod {Quote(step.Mode)} "$t"
            {sudo}mv -f -- "$t" {Quote(step.Path)}
            echo {Quote($"pushed {step.Content.Length} bytes to {step.Path} (owner {step.Owner}, mode {step.Mode})")}
            """;
        return await shell.RunAsync(target, new RemoteCommand(script, step.Timeout), output, ct);
    }
}
