using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Notifications;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Notifications;

public sealed record TemplateInput(string? Subject, string? TextBody, string? HtmlBody);

public sealed record TemplateView(string Kind, string Title, string Audience, IReadOnlyList<string> Placeholders, string Subject, string TextBody,
    string? HtmlBody, bool Customised, DateTimeOffset? UpdatedAt, string? UpdatedBy);

/// <summary>The templates Admins edit: defaults from code, an Admin's version stored per kind; every change audited.</summary>
public sealed class NotificationTemplates(AuditedWork work, IDbContextFactory<PortalDbContext> dbs, TimeProvider time)
{
    public async Task<IReadOnlyList<TemplateView>> ListAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var rows = await db.NotificationTemplates.AsNoTracking().ToDictionaryAsync(t => t.Kind, ct);
        return NotificationKinds.All.Select(k => View(k, rows.GetValueOrDefault(k.Name))).ToList();
    }

    /// <summary>Renders <paramref name="input"/> with the kind's sample values, after the same checks as a save.</summary>
    public static Result<RenderedEmail> Preview(string kind, TemplateInput input)
    {
        if (NotificationKinds.Find(kind) is not { } k) return new NotFound("Notification template", kind);
        if (TemplateText.Check(k, input.Subject, input.TextBody, input.HtmlBody) is { } bad) return bad;
        return TemplateText.Render(input.Subject!, input.TextBody!, Blank(input.HtmlBody), k.Sample);
    }

    public async Task<Result<TemplateView>> SaveAsync(string kind, TemplateInput input, AuditActor actor, CancellationToken ct)
    {
        if (NotificationKinds.Find(kind) is not { } k) return new NotFound("Notification template", kind);
        if (TemplateText.Check(k, input.Subject, input.TextBody, input.HtmlBody) is { } bad) return bad;
        return await work.RunAsync<Result<TemplateView>>(async (_, db, c) =>
        {
            var row = await db.NotificationTemplates.FirstOrDefaultAsync(t => t.Kind == kind, c);
            row ??= db.NotificationTemplates.Add(new NotificationTemplateRow { Kind = kind, Subject = "", TextBody = "" }).Entity;
            (row.Subject, row.TextBody, row.HtmlBody, row.UpdatedAt, row.UpdatedBy) =
                (input.Subject!.Trim(), input.TextBody!.Replace("\r\n", "\n"), Blank(input.HtmlBody), time.GetUtcNow(), actor.Name);
            return (View(k, row), new AuditEntry(actor, "notification.template.changed", $"template:{kind}",
                new { subject = row.Subject, textLength = row.TextBody.Length, htmlLength = row.HtmlBody?.Length }));
        }, ct);
    }

    /// <summary>Goes back to the default text (audited).</summary>
    public async Task<Result<TemplateView>> ResetAsync(string kind, AuditActor actor, CancellationToken ct)
    {
        if (NotificationKinds.Find(kind) is not { } k) return new NotFound("Notification template", kind);
        return await work.RunAsync<Result<TemplateView>>(async (_, db, c) =>
        {
            var row = await db.NotificationTemplates.FirstOrDefaultAsync(t => t.Kind == kind, c);
            if (row is null) return (View(k, null), null);
            db.NotificationTemplates.Remove(row);
            return (View(k, null), new AuditEntry(actor, "notification.template.reset", $"template:{kind}", new { previousSubject = row.Subject }));
        }, ct);
    }

    private static string? Blank(string? html) => string.IsNullOrWhiteSpace(html) ? null : html;

    private static TemplateView View(NotificationKind k, NotificationTemplateRow? row) => row is null
        ? new(k.Name, k.Title, k.Audience, k.Placeholders, k.Subject, k.TextBody.Replace("\r\n", "\n"), k.HtmlBody, false, null, null)
        : new(k.Name, k.Title, k.Audience, k.Placeholders, row.Subject, row.TextBody, row.HtmlBody, true, row.UpdatedAt, row.UpdatedBy);
}
