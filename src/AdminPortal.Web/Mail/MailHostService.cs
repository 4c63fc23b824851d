using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Mail;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosts;
using AdminPortal.Web.Hosts.Ssh;
using AdminPortal.Web.Mail.Backends;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Mail;

public sealed record MailHostRequest(string? Host, string? Backend, string? PasswdFile = null, string? Scheme = null, string? QuotaRule = null,
    int? Uid = null, int? Gid = null, string? HomeTemplate = null, string? AoxPath = null);

public sealed record MailHostView(string Host, string Backend, string? PasswdFile, string? Scheme, string? QuotaRule, int? Uid, int? Gid,
    string? HomeTemplate, string? AoxPath)
{
    public static MailHostView Of(MailHost m, string host) =>
        new(host, m.Backend, m.PasswdFile, m.PasswordScheme, m.QuotaRule, m.Uid, m.Gid, m.HomeTemplate, m.AoxPath);
}

/// <summary>Mail hosts: a managed host plus its backend settings; and the backend and SSH target to act on one.</summary>
public sealed class MailHostService(AuditedWork work, IDbContextFactory<PortalDbContext> dbs, IEnumerable<IMailBackend> backends, TimeProvider time)
{
    public async Task<Result<MailHostView>> AddAsync(MailHostRequest r, AuditActor actor, CancellationToken ct)
    {
        if (r.Host is null) return new InvalidInput("host", "host is required: the name of a managed host.");
        if (MailInput.Backend(r.Backend) is { } badBackend) return badBackend;
        var dovecot = r.Backend == MailBackends.DovecotPasswdFile;
        if ((dovecot
                ? MailInput.Path("passwdFile", r.PasswdFile) ?? MailInput.Scheme(r.Scheme) ?? MailInput.QuotaRule(r.QuotaRule) ?? MailInput.Id("uid", r.Uid)
                  ?? MailInput.Id("gid", r.Gid) ?? (r.HomeTemplate is null ? null : MailInput.Path("homeTemplate", r.HomeTemplate, allowTemplate: true))
                : MailInput.AoxPath(r.AoxPath)) is { } bad) return bad;

        return await work.RunAsync<Result<MailHostView>>(async (_, db, c) =>
        {
            var host = await db.Hosts.FirstOrDefaultAsync(h => h.Name == r.Host, c);
            if (host is null) return (new NotFound("Host", r.Host), null);
            if (await db.MailHosts.AnyAsync(m => m.HostId == host.Id, c)) return (new Conflict($"'{r.Host}' is a mail host already."), null);
            var mail = db.MailHosts.Add(new MailHost
            {
                Id = Guid.NewGuid(), HostId = host.Id, Backend = r.Backend!, CreatedAt = time.GetUtcNow(),
                PasswdFile = dovecot ? r.PasswdFile : null, PasswordScheme = dovecot ? r.Scheme ?? "SHA512-CRYPT" : null,
                QuotaRule = dovecot ? r.QuotaRule : null, Uid = dovecot ? r.Uid ?? 5000 : null, Gid = dovecot ? r.Gid ?? 5000 : null,
                HomeTemplate = dovecot ? r.HomeTemplate ?? "/var/mail/vhosts/%d/%n" : null, AoxPath = dovecot ? null : r.AoxPath ?? "aox",
            }).Entity;
            var view = MailHostView.Of(mail, host.Name);
            return (view, new AuditEntry(actor, "mail.host.added", $"host:{host.Name}", view));
        }, ct);
    }

    public async Task<IReadOnlyList<MailHostView>> ListAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var rows = await db.MailHosts.AsNoTracking().Include(m => m.Host).OrderBy(m => m.Host!.Name).ToListAsync(ct);
        return rows.Select(m => MailHostView.Of(m, m.Host!.Name)).ToList();
    }

    /// <summary>The backend and SSH target of a mail host (its row loaded with its managed host).</summary>
    public Result<(IMailBackend Backend, MailHostTarget Target)> Target(MailHost mail)
    {
        var host = mail.Host!;
        if (SshTarget.Of(host) is not { } target) return new HostNotTrusted(host.Name);
        var backend = backends.Single(b => b.Name == mail.Backend);
        return (backend, new MailHostTarget(mail, target));
    }
}
