using AdminPortal.Web.Errors;
using AdminPortal.Web.Security;

namespace AdminPortal.Web.Email;

public sealed record SmtpSettingsRequest(
    string? Host, int? Port, string? Security, string? UserName, string? Password, string? FromAddress, string? HelpdeskContact, bool? ClearPassword);
public sealed record TestEmailRequest(string? To);

public static class EmailEndpoints
{
    public static RouteGroupBuilder MapEmailEndpoints(this RouteGroupBuilder api)
    {
        var outbox = api.MapGroup("/outbox").WithTags("Email outbox").RequireAuthorization(Permissions.SettingsManage);
        outbox.MapGet("", async (OutboxService svc, string? status, int? limit, CancellationToken ct) =>
                OutboxService.CheckStatus(status) is { } bad ? bad.ToProblem() : Results.Ok(await svc.ListAsync(status, limit ?? 100, ct)))
            .WithSummary("Recent emails, newest first: status (pending, sending, sent, failed), attempts, next attempt, last SMTP error. `limit` up to 500.");
        outbox.MapPost("/{id:guid}/retry", async (Guid id, HttpContext http, OutboxService svc, CancellationToken ct) =>
                (await svc.RetryAsync(id, Actors.From(http), ct)).ToHttp(TypedResults.Ok))
            .WithSummary("Queues a failed email again (409 unless it is failed).");

        var smtp = api.MapGroup("/settings/smtp").WithTags("Email settings").RequireAuthorization(Permissions.SettingsManage);
        smtp.MapGet("", async (SmtpSettingsService svc, CancellationToken ct) => TypedResults.Ok(await svc.GetAsync(ct)))
            .WithSummary("The SMTP settings; the password is never returned, only `hasPassword`.");
        smtp.MapPut("", async (SmtpSettingsRequest body, HttpContext http, SmtpSettingsService svc, CancellationToken ct) =>
                (await svc.SaveAsync(new SmtpSettingsInput(body.Host, body.Port, body.Security, body.UserName, body.Password, body.FromAddress,
                    body.HelpdeskContact, body.ClearPassword ?? false), Actors.From(http), ct)).ToHttp(TypedResults.Ok))
            .WithSummary("Saves the SMTP settings. security: none, starttls or tls. password is write-only: omit it to keep the stored one, clearPassword removes it.");
        smtp.MapPost("/test", async (TestEmailRequest body, HttpContext http, SmtpSettingsService svc, CancellationToken ct) =>
                (await svc.SendTestAsync(body.To, Actors.From(http), ct)).ToHttp(id => TypedResults.Accepted($"/api/v1/outbox?status=pending", new { id })))
            .WithSummary("Queues a test email to `to` through the outbox (202 with the message id).");
        return api;
    }
}
