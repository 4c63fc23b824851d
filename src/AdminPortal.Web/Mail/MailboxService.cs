using System.Security.Cryptography;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Mail;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosts;
using AdminPortal.Web.Mail.Backends;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Mail;

/// <summary>A mailbox to create; without a password the portal generates one (returned once, in the result).</summary>
public sealed record MailboxRequest(string? Host, string? Address, string? DisplayName = null, string? Password = null, int? QuotaMb = null);

/// <summary>A created mailbox. <see cref="Password"/> is the generated password (null when the caller gave one): shown once.</summary>
public sealed record MailboxCreated(string Address, string Host, string? DisplayName, int? QuotaMb, string? Password);

/// <summary>A password set; <see cref="Password"/> is the generated one (null when the caller gave one): shown once.</summary>
public sealed record PasswordChanged(string Address, string? Password);

public sealed record MailboxView(string Address, string Host, string? DisplayName, int? QuotaMb, bool Disabled);

/// <summary>
/// Mailbox accounts on mail hosts: each change is made on the host (through its backend) inside the database transaction
/// that records it and its audit event, so a refused or failed host change stores nothing. Passwords and hashes are never
/// stored, logged or audited.
/// </summary>
public sealed class MailboxService(AuditedWork work, MailHostService mailHosts, HostService hosts, TimeProvider time)
{
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public async Task<Result<MailboxCreated>> CreateAsync(MailboxRequest r, AuditActor actor, CancellationToken ct)
    {
        if (r.Host is null) return new InvalidInput("host", "host is required: the name of a mail host.");
        if ((MailInput.Address(r.Address) ?? MailInput.DisplayName(r.DisplayName) ?? MailInput.Password(r.Password, r.Address!)
             ?? MailInput.QuotaMb(r.QuotaMb)) is { } bad) return bad;
        var address = MailInput.Normal(r.Address!);
        var password = r.Password ?? Generate();
        return await work.RunAsync<Result<MailboxCreated>>(async (_, db, c) =>
        {
            var mail = await db.MailHosts.Include(m => m.Host).FirstOrDefaultAsync(m => m.Host!.Name == r.Host, c);
            if (mail is null) return (new NotFound("Mail host", r.Host), null);
            if (await db.Mailboxes.Include(m => m.MailHost).ThenInclude(h => h!.Host).FirstOrDefaultAsync(m => m.Address == address, c) is { } existing)
                return (new MailboxAlreadyExists(address, existing.MailHost!.Host!.Name,
                    existing.MailHostId == mail.Id && existing.DisplayName == r.DisplayName && existing.QuotaMb == r.QuotaMb), null);
            var target = mailHosts.Target(mail);
            if (!target.Ok) return (target.Error!, null);
            var (backend, host) = target.Value;
            var done = await backend.CreateAsync(host, new MailboxSpec(address, r.DisplayName, r.QuotaMb), password, c);
            var details = new { host = r.Host, displayName = r.DisplayName, quotaMb = r.QuotaMb, generated = r.Password is null };
            if (!done.Ok) return await FailedAsync<MailboxCreated>(done.Error!, actor, "mail.mailbox.created", address, details);
            db.Mailboxes.Add(new Mailbox
            {
                Id = Guid.NewGuid(), MailHostId = mail.Id, Address = address, DisplayName = r.DisplayName, QuotaMb = r.QuotaMb,
                CreatedAt = time.GetUtcNow(), PasswordChangedAt = time.GetUtcNow(),
            });
            return (new MailboxCreated(address, r.Host, r.DisplayName, r.QuotaMb, r.Password is null ? password : null),
                new AuditEntry(actor, "mail.mailbox.created", $"mailbox:{address}", details));
        }, ct);
    }

    public async Task<Result<PasswordChanged>> ResetPasswordAsync(string address, string? password, AuditActor actor, CancellationToken ct)
    {
        if (MailInput.Password(password, address) is { } bad) return bad;
        var secret = password ?? Generate();
        return await ChangeAsync(address, actor, "mail.mailbox.password.reset", new { generated = password is null },
            (backend, host, box, c) => backend.SetPasswordAsync(host, box.Address, secret, c),
            box =>
            {
                box.PasswordChangedAt = time.GetUtcNow();
                return new PasswordChanged(box.Address, password is null ? secret : null);
            }, ct);
    }

    public Task<Result<MailboxView>> SetEnabledAsync(string address, bool enabled, AuditActor actor, CancellationToken ct) =>
        ChangeAsync(address, actor, enabled ? "mail.mailbox.enabled" : "mail.mailbox.disabled", null,
            (backend, host, box, c) => backend.SetEnabledAsync(host, box.Address, enabled, c),
            box =>
            {
                box.Disabled = !enabled;
                return View(box);
            }, ct);

    public Task<Result<MailboxView>> DeleteAsync(string address, AuditActor actor, CancellationToken ct) =>
        ChangeAsync(address, actor, "mail.mailbox.deleted", null,
            (backend, host, box, c) => backend.DeleteAsync(host, box.Address, c),
            box => View(box), ct, delete: true);

    /// <summary>
    /// Locks the mailbox's row, makes the change on the host, then applies it to the row; audited in the same transaction.
    /// A failed host change is audited as a failure and changes no row.
    /// </summary>
    private async Task<Result<T>> ChangeAsync<T>(string address, AuditActor actor, string action, object? details,
        Func<IMailBackend, MailHostTarget, Mailbox, CancellationToken, Task<Result<Done>>> remote, Func<Mailbox, T> apply,
        CancellationToken ct, bool delete = false)
    {
        var key = MailInput.Normal(address);
        return await work.RunAsync<Result<T>>(async (_, db, c) =>
        {
            var box = await db.Mailboxes.FromSql($"""SELECT * FROM mailboxes WHERE "Address" = {key} FOR UPDATE""")
                .Include(m => m.MailHost).ThenInclude(h => h!.Host).FirstOrDefaultAsync(c);
            if (box is null) return (new NotFound("Mailbox", address), null);
            var target = mailHosts.Target(box.MailHost!);
            if (!target.Ok) return (target.Error!, null);
            var (backend, host) = target.Value;
            var auditDetails = new { host = host.Ssh.Host, change = details };
            var done = await remote(backend, host, box, c);
            if (!done.Ok) return await FailedAsync<T>(done.Error!, actor, action, box.Address, auditDetails);
            var result = apply(box);
            if (delete) db.Mailboxes.Remove(box);
            return (result, new AuditEntry(actor, action, $"mailbox:{box.Address}", auditDetails));
        }, ct);
    }

    /// <summary>A host change that failed: audited as a failure (with the error, never a secret); a changed host key is also recorded on the host.</summary>
    private async Task<(Result<T>, AuditEntry?)> FailedAsync<T>(PortalError error, AuditActor actor, string action, string address, object details)
    {
        if (error is HostKeyMismatch mismatch) await hosts.RecordMismatchAsync(mismatch.Host, mismatch, actor, CancellationToken.None);
        if (error is MailboxAlreadyExists) return (error, null);
        return (error, new AuditEntry(actor, action, $"mailbox:{address}", new { details, error = error.Title, detail = error.Detail }, AuditOutcome.Failure));
    }

    /// <summary>20 characters from an alphabet without look-alikes (about 116 bits).</summary>
    public static string Generate() => RandomNumberGenerator.GetString(Alphabet, 20);

    public static MailboxView View(Mailbox m) => new(m.Address, m.MailHost?.Host?.Name ?? "", m.DisplayName, m.QuotaMb, m.Disabled);
}
