using AdminPortal.Data.Mail;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Remote;

namespace AdminPortal.Web.Mail.Backends;

/// <summary>
/// Archiveopteryx through its admin CLI <c>aox</c> (<c>Remote/Scripts/mail/aox.sh</c>, every value one positional
/// argument); the account's name is its address. <c>aox add user</c> and <c>aox change password</c> take the password as
/// an argument, so it is visible in the host's process list while the command runs: a limit of aox, documented in
/// docs/mail.md. Archiveopteryx has no disable and no per-user quota here. Not tested against a real aox (not packaged for
/// Debian 12): the tests check the exact arguments and that they reach a stand-in literally.
/// </summary>
public sealed class AoxBackend(HostScriptRunner runner) : IMailBackend
{
    private static readonly HostScript Script = HostScript.Load("mail/aox");

    public string Name => MailBackends.Archiveopteryx;

    public static IReadOnlyList<string> AddUser(string aox, string address, string password) => [aox, "add", "user", address, password, address];

    public static IReadOnlyList<string> ChangePassword(string aox, string address, string password) => [aox, "change", "password", address, password];

    public static IReadOnlyList<string> DeleteUser(string aox, string address) => [aox, "delete", "user", address];

    public static IReadOnlyList<string> ListUsers(string aox) => [aox, "list", "users"];

    public async Task<Result<IReadOnlyList<HostMailbox>>> ListAsync(MailHostTarget host, CancellationToken ct)
    {
        var r = await runner.RunAsync(host.Ssh, Script, ListUsers(Aox(host)), null, ct);
        if (!r.Succeeded) return MailScripts.Failure(host.Ssh, r);
        // aox lists one user a line: the name first (then, depending on the version, the address).
        return r.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ', 2)[0]).Where(n => n.Contains('@', StringComparison.Ordinal))
            .Select(n => new HostMailbox(n.ToLowerInvariant(), null, false, null)).ToList();
    }

    public async Task<Result<Done>> CreateAsync(MailHostTarget host, MailboxSpec spec, string password, CancellationToken ct)
    {
        if (spec.QuotaMb is not null) return new BackendUnsupported(Name, "set a quota");
        var list = await ListAsync(host, ct);
        if (!list.Ok) return list.Error!;
        if (list.Value!.Any(m => m.Address == spec.Address)) return new MailboxAlreadyExists(spec.Address, host.Ssh.Host, false);
        return await RunAsync(host, AddUser(Aox(host), spec.Address, password), ct);
    }

    public Task<Result<Done>> SetPasswordAsync(MailHostTarget host, string address, string password, CancellationToken ct) =>
        RunAsync(host, ChangePassword(Aox(host), address, password), ct);

    public Task<Result<Done>> SetEnabledAsync(MailHostTarget host, string address, bool enabled, CancellationToken ct) =>
        Task.FromResult<Result<Done>>(new BackendUnsupported(Name, enabled ? "enable an account" : "disable an account"));

    public Task<Result<Done>> DeleteAsync(MailHostTarget host, string address, CancellationToken ct) =>
        RunAsync(host, DeleteUser(Aox(host), address), ct);

    private static string Aox(MailHostTarget host) => host.Settings.AoxPath ?? "aox";

    private async Task<Result<Done>> RunAsync(MailHostTarget host, IReadOnlyList<string> args, CancellationToken ct)
    {
        var r = await runner.RunAsync(host.Ssh, Script, args, null, ct);
        return r.Succeeded ? new Done() : MailScripts.Failure(host.Ssh, r);
    }
}
