using AdminPortal.Data;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Mail.Backends;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Mail;

public static class DriftState
{
    public const string InSync = "in-sync";
    public const string HostOnly = "host-only";
    public const string PortalOnly = "portal-only";
    public const string Differs = "differs";
}

/// <summary>One address on a mail host: what the portal has, what the host has, and how they differ.</summary>
public sealed record MailboxRow(string Address, string State, string? DisplayName, int? QuotaMb, bool? Disabled, string? HostDisplayName,
    bool? HostDisabled, string? HostQuotaRule, IReadOnlyList<string> Differences);

public sealed record MailboxListing(string Host, string Backend, IReadOnlyList<MailboxRow> Mailboxes);

/// <summary>The mailboxes of a mail host as the portal and the host have them, side by side (drift shown, nothing changed).</summary>
public sealed class MailboxDrift(IDbContextFactory<PortalDbContext> dbs, MailHostService mailHosts)
{
    public async Task<Result<MailboxListing>> ListAsync(string? hostName, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(hostName)) return new InvalidInput("host", "host is required: the name of a mail host.");
        await using var db = await dbs.CreateDbContextAsync(ct);
        var mail = await db.MailHosts.AsNoTracking().Include(m => m.Host).FirstOrDefaultAsync(m => m.Host!.Name == hostName, ct);
        if (mail is null) return new NotFound("Mail host", hostName);
        var portal = await db.Mailboxes.AsNoTracking().Where(m => m.MailHostId == mail.Id).ToDictionaryAsync(m => m.Address, ct);
        var target = mailHosts.Target(mail);
        if (!target.Ok) return target.Error!;
        var (backend, host) = target.Value;
        var listed = await backend.ListAsync(host, ct);
        if (!listed.Ok) return listed.Error!;
        var onHost = listed.Value!.GroupBy(m => m.Address).ToDictionary(g => g.Key, g => g.First());

        var rows = portal.Keys.Union(onHost.Keys).Order(StringComparer.Ordinal).Select(address =>
        {
            portal.TryGetValue(address, out var p);
            onHost.TryGetValue(address, out var h);
            if (p is null) return new MailboxRow(address, DriftState.HostOnly, null, null, null, h!.DisplayName, h.Disabled, h.QuotaRule, []);
            if (h is null) return new MailboxRow(address, DriftState.PortalOnly, p.DisplayName, p.QuotaMb, p.Disabled, null, null, null, []);
            var differences = new List<string>();
            if (backend is DovecotBackend && (p.DisplayName ?? "") != (h.DisplayName ?? "")) differences.Add("displayName");
            if (p.Disabled != h.Disabled) differences.Add("disabled");
            if (p.QuotaMb is { } mb && h.QuotaRule != $"*:storage={mb}M") differences.Add("quota");
            return new MailboxRow(address, differences.Count == 0 ? DriftState.InSync : DriftState.Differs, p.DisplayName, p.QuotaMb, p.Disabled,
                h.DisplayName, h.Disabled, h.QuotaRule, differences);
        }).ToList();
        return new MailboxListing(mail.Host!.Name, mail.Backend, rows);
    }
}
