using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Email;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Email;

/// <summary>What an operator sees of the SMTP settings: whether a password is set, never the password.</summary>
public sealed record SmtpSettingsView(
    bool Configured, string? Host, int Port, string Security, string? UserName, bool HasPassword, string? FromAddress,
    string? HelpdeskContact, DateTimeOffset? UpdatedAt, string? UpdatedBy);

/// <summary>A change: <see cref="Password"/> null keeps the stored one, <see cref="ClearPassword"/> removes it.</summary>
public sealed record SmtpSettingsInput(
    string? Host, int? Port, string? Security, string? UserName, string? Password, string? FromAddress, string? HelpdeskContact,
    bool ClearPassword = false);

/// <summary>Where and how the sender connects; the password only in memory. Its text form leaves the password out.</summary>
public sealed record SmtpConnection(string Host, int Port, string Security, string? UserName, string? Password, string FromAddress)
{
    public override string ToString() => $"{Host}:{Port} ({Security})";
}

/// <summary>The SMTP settings: read, changed (audited, the password encrypted under the master key), and tested.</summary>
public sealed class SmtpSettingsService(IDbContextFactory<PortalDbContext> dbs, AuditedWork work, SecretProtector secrets, TimeProvider time)
{
    public async Task<SmtpSettingsView> GetAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var row = await db.SmtpSettings.AsNoTracking().FirstOrDefaultAsync(ct);
        return row is null
            ? new SmtpSettingsView(false, null, 587, SmtpSecurity.StartTls, null, false, null, null, null, null)
            : new SmtpSettingsView(true, row.Host, row.Port, row.Security, row.UserName, row.EncryptedPassword is not null,
                row.FromAddress, row.HelpdeskContact, row.UpdatedAt, row.UpdatedBy);
    }

    /// <summary>The helpdesk contact text for the emails other features write (null when none is set).</summary>
    public async Task<string?> HelpdeskContactAsync(CancellationToken ct) => (await GetAsync(ct)).HelpdeskContact;

    /// <summary>The connection for the sender, with the password decrypted; null while SMTP is not configured.</summary>
    public async Task<SmtpConnection?> ConnectionAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var row = await db.SmtpSettings.AsNoTracking().FirstOrDefaultAsync(ct);
        if (row is null) return null;
        var password = row.EncryptedPassword is null ? null
            : System.Text.Encoding.UTF8.GetString(secrets.Unprotect(row.EncryptedPassword, SmtpSettingsRow.PasswordPurpose));
        return new SmtpConnection(row.Host, row.Port, row.Security, row.UserName, password, row.FromAddress);
    }

    public async Task<Result<SmtpSettingsView>> SaveAsync(SmtpSettingsInput input, AuditActor actor, CancellationToken ct)
    {
        if (SmtpInput.Check(input) is { } bad) return bad;
        await work.RunAsync<bool>(async (_, db, c) =>
        {
            var row = await db.SmtpSettings.FirstOrDefaultAsync(c);
            if (row is null)
                row = db.SmtpSettings.Add(new SmtpSettingsRow { Host = input.Host!, Security = input.Security!, FromAddress = input.FromAddress! }).Entity;
            row.Host = input.Host!.Trim();
            row.Port = input.Port!.Value;
            row.Security = input.Security!;
            row.UserName = string.IsNullOrEmpty(input.UserName) ? null : input.UserName;
            row.FromAddress = input.FromAddress!;
            row.HelpdeskContact = string.IsNullOrWhiteSpace(input.HelpdeskContact) ? null : input.HelpdeskContact.Trim();
            var credential = input.ClearPassword ? "removed" : input.Password is { Length: > 0 } ? "changed" : "unchanged";
            if (input.ClearPassword) row.EncryptedPassword = null;
            else if (input.Password is { Length: > 0 } p)
                row.EncryptedPassword = secrets.Protect(System.Text.Encoding.UTF8.GetBytes(p), SmtpSettingsRow.PasswordPurpose);
            row.UpdatedAt = time.GetUtcNow();
            row.UpdatedBy = actor.Name;
            return (true, new AuditEntry(actor, "settings.smtp.changed", "settings:smtp", new
            {
                host = row.Host, port = row.Port, security = row.Security, userName = row.UserName, from = row.FromAddress,
                helpdesk = row.HelpdeskContact, credential,
            }));
        }, ct);
        return await GetAsync(ct);
    }

    /// <summary>Queues a test email through the outbox (audited); the sender delivers it like any other.</summary>
    public async Task<Result<Guid>> SendTestAsync(string? to, AuditActor actor, CancellationToken ct)
    {
        if (EmailOutbox.CheckAddress(to) is { } bad) return bad;
        if (!(await GetAsync(ct)).Configured) return new Conflict("SMTP is not configured yet: save the SMTP settings first.");
        return await work.RunAsync<Result<Guid>>((_, db, _) =>
        {
            var now = time.GetUtcNow();
            var message = EmailOutbox.Enqueue(db, new EmailDraft(to!, "AdminPortal test email",
                $"This is a test email from AdminPortal, sent by {actor.Name} at {now.UtcDateTime:u}.\n\nIf you can read it, email delivery works.\n",
                "test", "settings:smtp", CreatedBy: actor.Name), now);
            return Task.FromResult<(Result<Guid>, AuditEntry?)>((message.Id,
                new AuditEntry(actor, "email.queued", "settings:smtp", new { messageId = message.Id, to, kind = "test" })));
        }, ct);
    }
}
