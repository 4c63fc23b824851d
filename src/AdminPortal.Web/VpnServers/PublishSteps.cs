using System.Text;
using AdminPortal.Data.Hosts;
using AdminPortal.Data.VpnServers;
using AdminPortal.Web.Hosts.Actions;
using AdminPortal.Web.Hosts.Runs;
using AdminPortal.Web.Hosts.Ssh;

namespace AdminPortal.Web.VpnServers;

/// <summary>
/// A publish's claim on the host: its <paramref name="Generation"/> (from the database, when its run was created) and a check,
/// made just before the install, that the run is still this instance's.
/// </summary>
public sealed record PublishFence(long Generation, Func<CancellationToken, Task<bool>> StillOursAsync);

/// <summary>
/// The steps of one publish on the VPN host, each announced in the run's output ("== step"), in order. The steps that change
/// what the server runs (install, restart, and the rollback's restore and restart) are fenced (<see cref="PublishScripts.Fenced"/>):
/// on a host that already has a newer publish's files they change nothing, and the publish ends as an error without a rollback.
/// </summary>
public sealed class PublishSteps(RemoteShell shell, SftpPush sftp)
{
    /// <summary>Why a publish stopped before its install when its run was no longer this instance's.</summary>
    public const string LostBeforeInstall =
        "Stopped before the install: another portal instance had marked the run interrupted (this instance's lease on it had run out). Nothing was installed.";

    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(10);

    /// <param name="install">A rebuild: install OpenVPN and socat first when missing.</param>
    public async Task<PublishResult> RunAsync(VpnServer server, IReadOnlyList<ServerFile> files, OutputCapture output, bool install, PublishFence fence,
        CancellationToken ct)
    {
        var host = server.Host!;
        var target = VpnManagement.Target(host)!;
        var generation = fence.Generation;
        var step = new Stepper(shell, target, host, output);
        if (install && await step.ScriptAsync("install openvpn and socat", PublishScripts.Install, ct, InstallTimeout) is { } installed) return installed;

        if (await step.ScriptAsync("prepare", PublishScripts.Prepare(server, generation, host.User), ct) is { } prepare) return prepare;
        var clientConfigs = files.Where(f => f.Name.StartsWith(ServerFiles.ClientConfigPrefix, StringComparison.Ordinal)).ToList();
        if (clientConfigs.Count > 0
            && await step.ScriptAsync($"upload {clientConfigs.Count} client-config-dir file(s)", PublishScripts.UnpackClientConfigs(server, generation), ct,
                stdin: ClientConfigArchive(clientConfigs)) is { } unpacked) return unpacked;
        foreach (var f in files.Except(clientConfigs))
        {
            var path = $"{server.ConfigDir}/{PublishScripts.Staged(generation)}/{f.Name}";
            step.Announce($"upload {f.Name}");
            var pushed = await sftp.PushAsync(target, new UploadStep(path, f.Content, "root", f.Mode, ScriptTimeout), output.Write, ct);
            if (pushed.Status != RunStatus.Succeeded) return Stepper.Failed($"upload {f.Name}", pushed, null);
        }
        if (await step.ScriptAsync("check", PublishScripts.Check(server, generation), ct) is { } check) return check;
        // The staged CRL's number(s): the install keeps the host's crl.pem when it is newer (a CRL pushed after this publish rendered).
        var crl = files.FirstOrDefault(f => f.Name == "crl.pem") is { } crlFile ? CrlStamp.OfPem(Encoding.UTF8.GetString(crlFile.Content)) : null;
        // Narrows the window: an instance that was frozen past its lease stops here (the fence on the host covers the rest).
        if (!await fence.StillOursAsync(CancellationToken.None))
        {
            step.Announce("stopped: the run is no longer this instance's");
            return new PublishResult(RunStatus.Interrupted, "backup and install", false, LostBeforeInstall);
        }
        if (await step.ScriptAsync("backup and install", PublishScripts.Fenced(server, generation, PublishScripts.BackupAndInstall(server, generation, crl)), ct)
            is { } installing)
            return installing.Superseded ? installing : await RollBackAsync(step, server, generation, installing);
        if (await step.ScriptAsync("restart", PublishScripts.Fenced(server, generation, PublishScripts.Restart(server)), ct) is { } restart)
            return restart.Superseded ? restart : await RollBackAsync(step, server, generation, restart);
        if (await step.ScriptAsync("health", PublishScripts.Health(server), ct) is { } health)
            return await RollBackAsync(step, server, generation, health);
        return new PublishResult(RunStatus.Succeeded, null, false, null);
    }

    /// <summary>The client-config-dir files as one tar stream (names without the ccd/ prefix): one command, not one SFTP connection per user.</summary>
    private static byte[] ClientConfigArchive(IEnumerable<ServerFile> files)
    {
        using var buffer = new MemoryStream();
        using (var tar = new System.Formats.Tar.TarWriter(buffer, System.Formats.Tar.TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var f in files)
            {
                var entry = new System.Formats.Tar.UstarTarEntry(System.Formats.Tar.TarEntryType.RegularFile, f.Name[ServerFiles.ClientConfigPrefix.Length..])
                {
                    DataStream = new MemoryStream(f.Content),
                    Mode = (UnixFileMode)0b110_100_100,
                };
                tar.WriteEntry(entry);
            }
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Puts the previous files back and restarts on them (never cancelled: a half-published server is worse); fenced like the
    /// install, so a newer publish's files are never replaced by what was deployed before this one.
    /// </summary>
    private static async Task<PublishResult> RollBackAsync(Stepper step, VpnServer server, long generation, PublishResult failure)
    {
        var undone = await step.ScriptAsync("rollback: restore the previous files", PublishScripts.Fenced(server, generation, PublishScripts.Restore(server)),
                CancellationToken.None)
            ?? await step.ScriptAsync("rollback: restart", PublishScripts.Fenced(server, generation, PublishScripts.Restart(server)), CancellationToken.None)
            ?? await step.ScriptAsync("rollback: health", PublishScripts.Health(server), CancellationToken.None);
        var message = undone switch
        {
            null => $"{failure.Message} The previous files were put back and the server restarted on them.",
            { Superseded: true } => $"{failure.Message} Not rolled back: {undone.Message}",
            _ => $"{failure.Message} Rolling back failed too: {undone.Message}",
        };
        return failure with { RolledBack = undone is null, Message = message };
    }

    private sealed class Stepper(RemoteShell shell, SshTarget target, ManagedHost host, OutputCapture output)
    {
        public void Announce(string name) => output.Write(false, Encoding.UTF8.GetBytes($"== {name}\n"));

        /// <summary>Runs a step's script as root; null when it succeeded, else the failure with the step's stderr as the message.</summary>
        public async Task<PublishResult?> ScriptAsync(string name, string script, CancellationToken ct, TimeSpan? timeout = null, byte[]? stdin = null)
        {
            Announce(name);
            var stderr = new StringBuilder();
            var outcome = await shell.RunAsync(target, new RemoteCommand(PublishScripts.AsRoot(host, script), timeout ?? ScriptTimeout, Stdin: stdin), (isErr, data) =>
            {
                output.Write(isErr, data);
                if (isErr) lock (stderr) stderr.Append(Encoding.UTF8.GetString(data));
            }, ct);
            if (outcome.Status == RunStatus.Succeeded) return null;
            return outcome.ExitCode == PublishScripts.Superseded ? Refused(name, stderr.ToString()) : Failed(name, outcome, stderr.ToString());
        }

        /// <summary>A fenced step that found a newer publish on the host: an error, and nothing changed there.</summary>
        private static PublishResult Refused(string step, string stderr)
        {
            var why = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "a newer publish is installed";
            return new PublishResult(RunStatus.Error, step, false, $"Step '{step}' refused on the host: {why}.", Superseded: true);
        }

        public static PublishResult Failed(string step, RemoteOutcome outcome, string? stderr)
        {
            var lines = (stderr ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var why = lines.Length > 0 ? string.Join(" | ", lines.TakeLast(8)) : outcome.Message ?? outcome.Status;
            var status = outcome.Status == RunStatus.Succeeded ? RunStatus.Failed : outcome.Status;
            return new PublishResult(status, step, false, $"Step '{step}' failed: {why}.");
        }
    }
}
