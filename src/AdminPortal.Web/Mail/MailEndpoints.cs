using AdminPortal.Web.Api;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Security;

namespace AdminPortal.Web.Mail;

public sealed record PasswordBody(string? Password);

public static class MailEndpoints
{
    public static RouteGroupBuilder MapMailEndpoints(this RouteGroupBuilder api)
    {
        var hosts = api.MapGroup("/mail-hosts").WithTags("Mail").RequireAuthorization(Permissions.MailManage);
        hosts.MapPost("", async (MailHostRequest body, HttpContext http, MailHostService svc, CancellationToken ct) =>
                (await svc.AddAsync(body, Actors.From(http), ct)).ToHttp(h => TypedResults.Created(Locations.Of("/api/v1/mail-hosts", h.Host), h)))
            .WithSummary("Makes a managed host a mail host: backend dovecot-passwd-file (passwdFile, scheme, quotaRule, uid, gid, homeTemplate) or archiveopteryx (aoxPath).");
        hosts.MapGet("", async (MailHostService svc, CancellationToken ct) => TypedResults.Ok(await svc.ListAsync(ct)))
            .WithSummary("Mail hosts and their backend settings.");

        var boxes = api.MapGroup("/mailboxes").WithTags("Mail").RequireAuthorization(Permissions.MailManage);
        boxes.MapPost("", async (MailboxRequest body, HttpContext http, MailboxService svc, CancellationToken ct) =>
                (await svc.CreateAsync(body, Actors.From(http), ct)).ToHttp(m => TypedResults.Created(Locations.Of("/api/v1/mailboxes", m.Address), m)))
            .WithSummary("Creates a mailbox {host, address, displayName?, password?, quotaMb?}; a generated password is in this response only. 409 when the address exists.");
        boxes.MapGet("", async (string? host, MailboxDrift drift, CancellationToken ct) => (await drift.ListAsync(host, ct)).ToHttp(TypedResults.Ok))
            .WithSummary("The mailboxes of a mail host, portal and host side by side: state in-sync, differs, host-only or portal-only.");
        boxes.MapPost("/{address}/password", async (string address, PasswordBody? body, HttpContext http, MailboxService svc, CancellationToken ct) =>
                (await svc.ResetPasswordAsync(address, body?.Password, Actors.From(http), ct)).ToHttp(TypedResults.Ok))
            .WithSummary("Sets a new password {password?}; a generated one is in this response only.");
        boxes.MapPost("/{address}/disable", async (string address, HttpContext http, MailboxService svc, CancellationToken ct) =>
                (await svc.SetEnabledAsync(address, false, Actors.From(http), ct)).ToHttp(TypedResults.Ok))
            .WithSummary("Disables the mailbox: its logins are refused until enabled.");
        boxes.MapPost("/{address}/enable", async (string address, HttpContext http, MailboxService svc, CancellationToken ct) =>
                (await svc.SetEnabledAsync(address, true, Actors.From(http), ct)).ToHttp(TypedResults.Ok))
            .WithSummary("Enables a disabled mailbox.");
        boxes.MapDelete("/{address}", async (string address, HttpContext http, MailboxService svc, CancellationToken ct) =>
                (await svc.DeleteAsync(address, Actors.From(http), ct)).ToHttp(_ => TypedResults.NoContent()))
            .WithSummary("Deletes the mailbox account from the host (its mail stays on disk) and from the portal.");
        return api;
    }
}
