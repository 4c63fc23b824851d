using System.Security.Cryptography;
using System.Text;
using AdminPortal.Data.Hosts;
using AdminPortal.Data.VpnServers;
using AdminPortal.Web.Hosts.Runs;
using AdminPortal.Web.Hosts.Ssh;
using AdminPortal.Web.Remote;

namespace AdminPortal.Web.VpnServers;

/// <summary>
/// A publish's claim on the host: its <paramref name="Generation"/> (from the database, when its run was created) and a check,
/// made just before the install, that the run is still this instance's.
/// </summary>
public sealed record PublishFence(long Generation, Func<CancellationToken, Task<bool>> StillOursAsync);

/// <summary>
/// The steps of one publish on the VPN host, each announced in the run's output ("== step"), in order. Every file is staged as
/// root in a folder of the publish's own that is 0700 from its first moment (one tar on stdin; no upload as the login user), so
/// no other account on the host can open server.key or the tls-crypt key at any moment. The steps that change what the server
/// runs (install, restart, and the rollback's restore and restart) are decided here on the host's records
/// (<see cref="HostRecords"/>) and carried out only if those are unchanged: on a host that already has a newer publish's files
/// they change nothing, and the publish ends as an error without a rollback.
/// </summary>
public sealed class PublishSteps(HostScriptRunner runner)
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
        var target = VpnManagement.Target(server.Host!)!;
        var generation = fence.Generation;
        var step = new Stepper(runner, target, output);
        if (install && await step.ScriptAsync("install openvpn and socat", PublishScripts.Install, [], ct, InstallTimeout) is { } installed) return installed;

        var staging = PublishScripts.Staging(server, generation);
        if (await step.ScriptAsync("prepare", PublishScripts.Prepare, staging, ct) is { } prepare) return prepare;
        // The staged CRL's number(s): the install keeps the host's crl.pem when it is newer (a CRL pushed after this publish rendered).
        var crl = files.FirstOrDefault(f => f.Name == "crl.pem") is { } crlFile ? CrlStamp.OfPem(Encoding.UTF8.GetString(crlFile.Content)) : null;
        if (await step.ScriptAsync($"stage {files.Count} file(s)", PublishScripts.Stage, staging, ct, stdin: StagedArchive(files, crl)) is { } staged)
            return staged;
        if (await step.ScriptAsync("check", PublishScripts.Check, PublishScripts.CheckArgs(server, generation), ct) is { } check) return check;
        // Narrows the window: an instance that was frozen past its lease stops here (the fence on the host covers the rest).
        if (!await fence.StillOursAsync(CancellationToken.None))
        {
            step.Announce("stopped: the run is no longer this instance's");
            return new PublishResult(RunStatus.Interrupted, "backup and install", false, LostBeforeInstall);
        }
        if (await InstallAsync(step, server, generation, crl, ct) is { } installing)
            return installing.Superseded ? installing : await RollBackAsync(step, server, generation, installing);
        if (await RestartAsync(step, "restart", server, generation, ct) is { } restart)
            return restart.Superseded ? restart : await RollBackAsync(step, server, generation, restart);
        if (await step.ScriptAsync("health", PublishScripts.Health, PublishScripts.HealthArgs(server), ct) is { } health)
            return await RollBackAsync(step, server, generation, health);
        return new PublishResult(RunStatus.Succeeded, null, false, null);
    }

    /// <summary>
    /// Backup and install, decided on the host's records: refused when a newer publish is installed; the staged crl.pem only
    /// when the installed one is not newer; the ccd files pushed after this publish rendered kept as they are.
    /// </summary>
    private static async Task<PublishResult?> InstallAsync(Stepper step, VpnServer server, long generation, CrlStamp? crl, CancellationToken ct)
    {
        const string name = "backup and install";
        step.Announce(name);
        for (var attempt = 1; ; attempt++)
        {
            var (records, failure) = await step.RecordsAsync(name, server, ct);
            if (records is null) return failure;
            if (records.Supersedes(generation) is { } newer)
            {
                await step.QuietAsync(PublishScripts.Discard, PublishScripts.Staging(server, generation), CancellationToken.None);
                return Stepper.Refused(name, newer);
            }
            var keepCrl = records.Order(crl) == CrlOrder.Older;
            var result = await step.RunAsync(name, PublishScripts.BackupAndInstall,
                PublishScripts.InstallArgs(server, generation, records.Token, keepCrl, records.PushedAfter(generation)), ct);
            if (result is null)
            {
                if (keepCrl)
                    step.Say($"kept the installed crl.pem (CRL number {records.InstalledNumbers}): this publish's CRL (number {crl?.Numbers ?? "unknown"}) is older");
                return null;
            }
            if (!result.Superseded || attempt == Stepper.MaxAttempts) return result;
        }
    }

    /// <summary>
    /// Every file of the publish in one tar stream, each entry with its final mode (600 for the secret ones), plus the staged
    /// CRL's record (<see cref="PublishScripts.CrlNumberFile"/>, sealed with the staged crl.pem's SHA-256).
    /// </summary>
    private static byte[] StagedArchive(IEnumerable<ServerFile> files, CrlStamp? crl)
    {
        using var buffer = new MemoryStream();
        using (var tar = new System.Formats.Tar.TarWriter(buffer, System.Formats.Tar.TarEntryFormat.Ustar, leaveOpen: true))
        {
            void Add(string name, byte[] content, string mode) => tar.WriteEntry(new System.Formats.Tar.UstarTarEntry(System.Formats.Tar.TarEntryType.RegularFile, name)
            {
                DataStream = new MemoryStream(content),
                Mode = (UnixFileMode)Convert.ToInt32(mode, 8),
            });
            foreach (var f in files)
            {
                Add(f.Name, f.Content, f.Mode);
                if (f.Name == "crl.pem")
                    Add(PublishScripts.CrlNumberFile, Encoding.UTF8.GetBytes(CrlStamp.Record(crl, Convert.ToHexStringLower(SHA256.HashData(f.Content)))), "644");
            }
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Puts the previous files back and restarts on them (never cancelled: a half-published server is worse); decided and fenced
    /// like the install, so a newer publish's files are never replaced by what was deployed before this one, and the backed-up
    /// crl.pem comes back only when it is newer than the installed one.
    /// </summary>
    private static async Task<PublishResult> RollBackAsync(Stepper step, VpnServer server, long generation, PublishResult failure)
    {
        var undone = await RestoreAsync(step, server, generation)
            ?? await RestartAsync(step, "rollback: restart", server, generation, CancellationToken.None)
            ?? await step.ScriptAsync("rollback: health", PublishScripts.Health, PublishScripts.HealthArgs(server), CancellationToken.None);
        var message = undone switch
        {
            null => $"{failure.Message} The previous files were put back and the server restarted on them.",
            { Superseded: true } => $"{failure.Message} Not rolled back: {undone.Message}",
            _ => $"{failure.Message} Rolling back failed too: {undone.Message}",
        };
        return failure with { RolledBack = undone is null, Message = message };
    }

    /// <summary>Restarts while the host's generation is this publish's; when it is not, says which newer publish is there.</summary>
    private static async Task<PublishResult?> RestartAsync(Stepper step, string name, VpnServer server, long generation, CancellationToken ct)
    {
        var result = await step.ScriptAsync(name, PublishScripts.Restart, PublishScripts.RestartArgs(server, generation), ct);
        if (result is not { Superseded: true }) return result;
        var (records, _) = await step.RecordsAsync(name, server, CancellationToken.None);
        return records?.Supersedes(generation) is { } newer ? Stepper.Refused(name, newer) : result;
    }

    private static async Task<PublishResult?> RestoreAsync(Stepper step, VpnServer server, long generation)
    {
        const string name = "rollback: restore the previous files";
        step.Announce(name);
        for (var attempt = 1; ; attempt++)
        {
            var (records, failure) = await step.RecordsAsync(name, server, CancellationToken.None);
            if (records is null) return failure;
            if (records.Supersedes(generation) is { } newer) return Stepper.Refused(name, newer);
            var keepCrl = records.Order(records.Previous?.Stamp) != CrlOrder.Newer;
            var result = await step.RunAsync(name, PublishScripts.Restore, PublishScripts.RestoreArgs(server, records.Token, keepCrl), CancellationToken.None);
            if (result is null)
            {
                if (keepCrl) step.Say($"kept the installed crl.pem (CRL number {records.InstalledNumbers}): the previous one is not newer");
                return null;
            }
            if (!result.Superseded || attempt == Stepper.MaxAttempts) return result;
        }
    }

    private sealed class Stepper(HostScriptRunner runner, SshTarget target, OutputCapture output)
    {
        /// <summary>How often a decided step reads the host's records again when they changed between its read and its write.</summary>
        public const int MaxAttempts = 5;

        public void Announce(string name) => Say($"== {name}");

        public void Say(string line) => output.Write(false, Encoding.UTF8.GetBytes(line + "\n"));

        /// <summary>Announces and runs a step's script as root; null when it succeeded, else the failure with the step's stderr as the message.</summary>
        public async Task<PublishResult?> ScriptAsync(string name, HostScript script, IReadOnlyList<string> args, CancellationToken ct,
            TimeSpan? timeout = null, byte[]? stdin = null)
        {
            Announce(name);
            return await RunAsync(name, script, args, ct, timeout, stdin);
        }

        /// <summary>Runs a step's script (its output into the run's); a fenced script that found the records changed is Superseded.</summary>
        public async Task<PublishResult?> RunAsync(string name, HostScript script, IReadOnlyList<string> args, CancellationToken ct,
            TimeSpan? timeout = null, byte[]? stdin = null)
        {
            var stderr = new StringBuilder();
            var outcome = await runner.StreamAsync(target, script, args, stdin, (isErr, data) =>
            {
                output.Write(isErr, data);
                if (isErr) lock (stderr) stderr.Append(Encoding.UTF8.GetString(data));
            }, ct, timeout ?? ScriptTimeout);
            if (outcome.Status == RunStatus.Succeeded) return null;
            if (ScriptExits.Of(outcome.ExitCode) == ScriptExit.Superseded)
                return Refused(name, LastLine(stderr.ToString()) ?? "the host's records changed");
            return Failed(name, outcome, stderr.ToString());
        }

        /// <summary>A script whose output does not go into the run's (cleanup); its failure is ignored.</summary>
        public Task<ScriptResult> QuietAsync(HostScript script, IReadOnlyList<string> args, CancellationToken ct) =>
            runner.RunAsync(target, script, args, null, ct, ScriptTimeout);

        /// <summary>The config directory's records (not shown in the run's output), or the step's failure.</summary>
        public async Task<(HostRecords? Records, PublishResult? Failure)> RecordsAsync(string name, VpnServer server, CancellationToken ct)
        {
            var read = await runner.RunAsync(target, PublishScripts.State, [server.ConfigDir], null, ct, ScriptTimeout);
            if (!read.Succeeded) return (null, Failed(name, read.Outcome, read.Stderr));
            try
            {
                return (HostRecords.Parse(read.Text), null);
            }
            catch (FormatException e)
            {
                return (null, new PublishResult(RunStatus.Failed, name, false, $"Step '{name}' failed: {e.Message}."));
            }
        }

        /// <summary>A step that found a newer publish on the host: an error, and nothing changed there.</summary>
        public static PublishResult Refused(string step, string why) =>
            new(RunStatus.Error, step, false, $"Step '{step}' refused on the host: {why}.", Superseded: true);

        private static string? LastLine(string text) =>
            text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();

        public static PublishResult Failed(string step, RemoteOutcome outcome, string? stderr)
        {
            var lines = (stderr ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var why = lines.Length > 0 ? string.Join(" | ", lines.TakeLast(8)) : outcome.Message ?? outcome.Status;
            var status = outcome.Status == RunStatus.Succeeded ? RunStatus.Failed : outcome.Status;
            return new PublishResult(status, step, false, $"Step '{step}' failed: {why}.");
        }
    }
}
