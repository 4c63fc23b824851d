using System.Security.Cryptography;
using System.Text;
using AdminPortal.Web.Hosts.Ssh;
using AdminPortal.Web.Remote;

namespace AdminPortal.Web.VpnServers.Crl;

/// <summary>A remote command's result: ok, stdout, and for a failure the message to record (stderr's tail or the run status).</summary>
public sealed record RemoteText(bool Ok, string Output, string? Problem);

/// <summary>
/// Small files in a VPN server's config directory (crl.pem, ccd/NAME), changed the way a publish changes it: the portal reads
/// the host's records (<see cref="HostRecords"/>), decides here, and the script writes only if the records are still what was
/// read, under the publishes' lock (else it reads again and decides again, a few times). Each file is made exclusively with
/// its final mode before any byte, then renamed into place; a rewritten crl.pem gets an mtime in a later whole second
/// (OpenVPN 2.6 re-reads crl-verify only when the size or the whole-second mtime changed).
/// </summary>
public sealed class RemoteFiles(HostScriptRunner runner)
{
    /// <summary>How often a write reads the records again when they changed between its read and its write.</summary>
    public const int MaxAttempts = 5;

    /// <summary>The config directory's records, or the problem reading them.</summary>
    public async Task<(HostRecords? Records, string? Problem)> RecordsAsync(SshTarget target, string configDir, CancellationToken ct)
    {
        var read = await runner.RunAsync(target, PublishScripts.State, [configDir], null, ct);
        if (!read.Succeeded) return (null, $"reading the records in {configDir} failed: {read.Problem}");
        try
        {
            return (HostRecords.Parse(read.Text), null);
        }
        catch (FormatException e)
        {
            return (null, $"the records in {configDir} are unreadable: {e.Message}");
        }
    }

    /// <summary>
    /// Installs crl.pem when the host's CRL is older (or unknown); otherwise changes nothing and says which CRL the host has
    /// ("<see cref="PublishScripts.CrlAlreadyInstalled"/> N; ...").
    /// </summary>
    public async Task<RemoteText> PushCrlAsync(SshTarget target, string configDir, CrlStamp stamp, string pem, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(pem);
        var record = CrlStamp.Record(stamp, Convert.ToHexStringLower(SHA256.HashData(bytes))).TrimEnd('\n');
        for (var attempt = 1; ; attempt++)
        {
            var (records, problem) = await RecordsAsync(target, configDir, ct);
            if (records is null) return new RemoteText(false, "", problem);
            if (records.Order(stamp) != CrlOrder.Newer)
                return new RemoteText(true, $"{PublishScripts.CrlAlreadyInstalled} {records.InstalledNumbers}; crl.pem unchanged (the pushed CRL is number {stamp.Numbers})", null);
            var written = await runner.RunAsync(target, PublishScripts.CrlPush, [configDir, records.Token, record], bytes, ct);
            if (written.Succeeded) return new RemoteText(true, $"installed crl.pem (CRL number {stamp.Numbers})", null);
            if (written.Exit != ScriptExit.Superseded || attempt == MaxAttempts) return Failed(written);
        }
    }

    /// <summary>
    /// Writes ccd/<paramref name="name"/> (or removes it when <paramref name="text"/> is null) as a push of
    /// <paramref name="generation"/>, recorded in the host's ccd journal so that a publish rendered before it keeps it. Nothing
    /// is written when the installed publish rendered after this push (it has the file) or a later push of the file is there.
    /// </summary>
    public async Task<RemoteText> WriteClientConfigAsync(SshTarget target, string configDir, string name, string? text, long generation,
        CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (records, problem) = await RecordsAsync(target, configDir, ct);
            if (records is null) return new RemoteText(false, "", problem);
            if (records.Generation > generation)
                return new RemoteText(true, $"ccd/{name}: the installed publish (generation {records.Generation}) already has this change", null);
            if (records.ClientConfigGenerations.TryGetValue(name, out var pushed) && pushed >= generation)
                return new RemoteText(true, $"ccd/{name}: a later change is there already", null);
            var written = await runner.RunAsync(target, PublishScripts.ClientConfigWrite,
                [configDir, name, records.Token, text is null ? "remove" : "write", records.JournalWith(name, generation)],
                text is null ? null : Encoding.UTF8.GetBytes(text), ct);
            if (written.Succeeded) return new RemoteText(true, written.Text, null);
            if (written.Exit != ScriptExit.Superseded || attempt == MaxAttempts) return Failed(written);
        }
    }

    /// <summary>The file's text (at most 16 MiB are kept).</summary>
    public async Task<RemoteText> ReadAsync(SshTarget target, string path, CancellationToken ct)
    {
        var read = await runner.RunAsync(target, PublishScripts.Read, [path], null, ct);
        return read.Succeeded ? new RemoteText(true, read.Text, null) : Failed(read);
    }

    private static RemoteText Failed(ScriptResult result) => new(false, result.Text, result.Problem);
}
