using System.Text;
using AdminPortal.Data.Hosts;
using AdminPortal.Data.VpnServers;
using AdminPortal.Web.Hosts.Actions;
using AdminPortal.Web.Hosts.Runs;
using AdminPortal.Web.Hosts.Ssh;

namespace AdminPortal.Web.VpnServers;

/// <summary>The steps of one publish on the VPN host, each announced in the run's output ("== step"), in order.</summary>
public sealed class PublishSteps(RemoteShell shell, SftpPush sftp)
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(10);

    /// <param name="install">A rebuild: install OpenVPN and socat first when missing.</param>
    public async Task<PublishResult> RunAsync(VpnServer server, IReadOnlyList<ServerFile> files, OutputCapture output, bool install, CancellationToken ct)
    {
        var host = server.Host!;
        var target = VpnManagement.Target(host)!;
        var step = new Stepper(shell, target, host, output);
        if (install && await step.ScriptAsync("install openvpn and socat", PublishScripts.Install, ct, InstallTimeout) is { } installed) return installed;

        if (await step.ScriptAsync("prepare", PublishScripts.Prepare(server, host.User), ct) is { } prepare) return prepare;
        var clientConfigs = files.Where(f => f.Name.StartsWith(ServerFiles.ClientConfigPrefix, StringComparison.Ordinal)).ToList();
        if (clientConfigs.Count > 0
            && await step.ScriptAsync($"upload {clientConfigs.Count} client-config-dir file(s)", PublishScripts.UnpackClientConfigs(server), ct,
                stdin: ClientConfigArchive(clientConfigs)) is { } unpacked) return unpacked;
        foreach (var f in files.Except(clientConfigs))
        {
            var path = $"{server.ConfigDir}/{PublishScripts.Staged}/{f.Name}";
            step.Announce($"upload {f.Name}");
            var pushed = await sftp.PushAsync(target, new UploadStep(path, f.Content, "root", f.Mode, ScriptTimeout), output.Write, ct);
            if (pushed.Status != RunStatus.Succeeded) return Stepper.Failed($"upload {f.Name}", pushed, null);
        }
        if (await step.ScriptAsync("check", PublishScripts.Check(server), ct) is { } check) return check;
        if (await step.ScriptAsync("backup and install", PublishScripts.BackupAndInstall(server), ct) is { } installing)
            return await RollBackAsync(step, server, installing);
        if (await step.ScriptAsync("restart", PublishScripts.Restart(server), ct) is { } restart)
            return await RollBackAsync(step, server, restart);
        if (await step.ScriptAsync("health", PublishScripts.Health(server), ct) is { } health)
            return await RollBackAsync(step, server, health);
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

    /// <summary>Puts the previous files back and restarts on them (never cancelled: a half-published server is worse).</summary>
    private static async Task<PublishResult> RollBackAsync(Stepper step, VpnServer server, PublishResult failure)
    {
        var undone = await step.ScriptAsync("rollback: restore the previous files", PublishScripts.Restore(server), CancellationToken.None)
            ?? await step.ScriptAsync("rollback: restart", PublishScripts.Restart(server), CancellationToken.None)
            ?? await step.ScriptAsync("rollback: health", PublishScripts.Health(server), CancellationToken.None);
        var message = undone is null
            ? $"{failure.Message} The previous files were put back and the server restarted on them."
            : $"{failure.Message} Rolling back failed too: {undone.Message}";
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
            return outcome.Status == RunStatus.Succeeded ? null : Failed(name, outcome, stderr.ToString());
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
