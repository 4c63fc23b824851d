using AdminPortal.Web.Errors;
using AdminPortal.Web.Security;

namespace AdminPortal.Web.Notifications;

public static class NotificationEndpoints
{
    public static RouteGroupBuilder MapNotificationEndpoints(this RouteGroupBuilder api)
    {
        var t = api.MapGroup("/notification-templates").WithTags("Notifications").RequireAuthorization(Permissions.SettingsManage);
        t.MapGet("", async (NotificationTemplates svc, CancellationToken ct) => TypedResults.Ok(await svc.ListAsync(ct)))
            .WithSummary("Every notification kind with its current subject and bodies, its placeholders and whether an Admin changed it.");
        t.MapPut("/{kind}", async (string kind, TemplateInput body, HttpContext http, NotificationTemplates svc, CancellationToken ct) =>
                (await svc.SaveAsync(kind, body, Actors.From(http), ct)).ToHttp(TypedResults.Ok))
            .WithSummary("Replaces a template's subject, textBody and htmlBody (optional). An unknown {{placeholder}} is a 400.");
        t.MapPost("/{kind}/preview", (string kind, TemplateInput body) => NotificationTemplates.Preview(kind, body).ToHttp(TypedResults.Ok))
            .WithSummary("Renders the given template with sample values (nothing is stored).");
        t.MapDelete("/{kind}", async (string kind, HttpContext http, NotificationTemplates svc, CancellationToken ct) =>
                (await svc.ResetAsync(kind, Actors.From(http), ct)).ToHttp(TypedResults.Ok))
            .WithSummary("Goes back to the default template.");
        return api;
    }
}
