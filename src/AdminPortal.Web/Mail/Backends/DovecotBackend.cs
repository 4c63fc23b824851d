using System.Security.Cryptography;
using System.Text;
using AdminPortal.Data.Mail;
using AdminPortal.Pki;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Remote;

namespace AdminPortal.Web.Mail.Backends;

/// <summary>
/// Dovecot with a passwd-file (passdb and userdb). Passwords are hashed in the portal (SHA512-CRYPT) and the file is
/// edited read-modify-write: the portal reads it, changes one line, and sends the whole new file on stdin to
/// <c>Remote/Scripts/mail/passwd-file.sh</c>, which, under <c>flock</c> (its lock in a root-only folder), checks the
/// file is still what was read (SHA-256) and replaces it safely (a private staging folder, owner and mode set before the
/// content, <c>mv -T</c>). A file changed in between is read again (at most <see cref="Attempts"/> times).
/// </summary>
public sealed class DovecotBackend(HostScriptRunner runner) : IMailBackend
{
    private const int Attempts = 8;
    private static readonly HostScript Script = HostScript.Load("mail/passwd-file");

    /// <summary>Where the writers' lock files live on a mail host: a root-only folder (0700) the script makes.</summary>
    public const string LockFolder = "/run/adminportal";

    public string Name => MailBackends.DovecotPasswdFile;

    public async Task<Result<IReadOnlyList<HostMailbox>>> ListAsync(MailHostTarget host, CancellationToken ct)
    {
        var read = await ReadAsync(host, ct);
        if (!read.Ok) return read.Error!;
        return read.Value!.File.Entries.Select(e => new HostMailbox(e.User, e.Gecos.Length == 0 ? null : e.Gecos, e.Disabled, e.QuotaRule)).ToList();
    }

    public Task<Result<Done>> CreateAsync(MailHostTarget host, MailboxSpec spec, string password, CancellationToken ct) =>
        EditAsync(host, file =>
        {
            if (file.Find(spec.Address) is { } existing)
                return new MailboxAlreadyExists(spec.Address, host.Ssh.Host, existing.Gecos == (spec.DisplayName ?? "") && !existing.Disabled);
            var s = host.Settings;
            file.Add(new PasswdLine(spec.Address, Scheme(password), (s.Uid ?? 5000).ToString(), (s.Gid ?? 5000).ToString(),
                spec.DisplayName ?? "", Home(s.HomeTemplate, spec.Address), "",
                PasswdLine.QuotaField(spec.QuotaMb is { } mb ? $"*:storage={mb}M" : s.QuotaRule)));
            return null;
        }, ct);

    public Task<Result<Done>> SetPasswordAsync(MailHostTarget host, string address, string password, CancellationToken ct) =>
        EditAsync(host, file => Change(file, address, host, l => l with { Password = Scheme(password) }), ct);

    public Task<Result<Done>> SetEnabledAsync(MailHostTarget host, string address, bool enabled, CancellationToken ct) =>
        EditAsync(host, file => Change(file, address, host, l => l.WithEnabled(enabled)), ct);

    public Task<Result<Done>> DeleteAsync(MailHostTarget host, string address, CancellationToken ct) =>
        EditAsync(host, file =>
        {
            file.Replace(address, null); // already gone is fine: the goal is reached
            return null;
        }, ct);

    private static MailHostFailed? Change(PasswdFile file, string address, MailHostTarget host, Func<PasswdLine, PasswdLine> change)
    {
        if (file.Find(address) is not { } line)
            return new MailHostFailed(host.Ssh.Host, $"the passwd-file has no line for '{address}' (removed on the host?)");
        file.Replace(address, change(line));
        return null;
    }

    private static string Scheme(string password) => "{SHA512-CRYPT}" + Sha512Crypt.Hash(password);

    public static string Home(string? template, string address)
    {
        var at = address.IndexOf('@');
        return (template ?? "/var/mail/vhosts/%d/%n").Replace("%u", address).Replace("%d", address[(at + 1)..]).Replace("%n", address[..at]);
    }

    private sealed record Snapshot(PasswdFile File, string Sha256);

    private async Task<Result<Snapshot>> ReadAsync(MailHostTarget host, CancellationToken ct)
    {
        var r = await runner.RunAsync(host.Ssh, Script, ["read", host.Settings.PasswdFile!], null, ct);
        if (!r.Succeeded) return MailScripts.Failure(host.Ssh, r);
        return new Snapshot(new PasswdFile(Encoding.UTF8.GetString(r.Stdout)), Convert.ToHexStringLower(SHA256.HashData(r.Stdout)));
    }

    private async Task<Result<Done>> EditAsync(MailHostTarget host, Func<PasswdFile, PortalError?> edit, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var read = await ReadAsync(host, ct);
            if (!read.Ok) return read.Error!;
            if (edit(read.Value!.File) is { } refused) return refused;
            var r = await runner.RunAsync(host.Ssh, Script, ["write", host.Settings.PasswdFile!, read.Value.Sha256, LockFolder],
                read.Value.File.ToBytes(), ct);
            if (r.Succeeded) return new Done();
            // Superseded: the file changed between the read and the write (another writer): read it again.
            if (r.Exit != ScriptExit.Superseded || attempt == Attempts) return MailScripts.Failure(host.Ssh, r);
        }
    }
}
