using AdminPortal.Web.Audit;
using AdminPortal.Web.Bundles;
using AdminPortal.Web.Email;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosts;
using AdminPortal.Web.Mail;
using AdminPortal.Web.Notifications;
using AdminPortal.Web.Onboarding;
using AdminPortal.Web.Operators;
using AdminPortal.Web.Pki;
using AdminPortal.Web.Security;
using AdminPortal.Web.Tokens;
using AdminPortal.Web.VpnServers;
using AdminPortal.Web.VpnServers.ClientConfigs;
using AdminPortal.Web.VpnServers.Crl;
using Microsoft.AspNetCore.Mvc;
using Scalar.AspNetCore;

namespace AdminPortal.Web.Api;

public static class ApiEndpoints
{
    /// <summary>Largest request body the API reads (64 KiB): nothing it takes is bigger.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    public static WebApplicationBuilder AddPortalApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.AddExceptionHandler<DatabaseUnavailableHandler>();
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddOpenApi("v1", o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "AdminPortal API";
            doc.Info.Description = "Authenticate with `Authorization: Bearer TOKEN` (see `token create`). Errors are problem+json.";
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static WebApplication MapPortalApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/api/reference", o => o.WithTitle("AdminPortal API")).AllowAnonymous();

        var v1 = app.MapGroup("/api/v1")
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .RequireAuthorization(Permissions.UsePortal);
        v1.MapGet("/me", (HttpContext http) => new { name = http.User.Identity!.Name, role = Actors.RoleOf(http.User) })
            .WithName("WhoAmI").WithSummary("Who the caller is and in which role.");
        v1.MapAuditEndpoints();
        v1.MapOperatorEndpoints();
        v1.MapTokenEndpoints();
        v1.MapPkiEndpoints();
        v1.MapBundleEndpoints();
        v1.MapEasyRsaImport();
        v1.MapEmailEndpoints();
        v1.MapHostEndpoints();
        v1.MapNotificationEndpoints();
        v1.MapOnboardingEndpoints();
        v1.MapMailEndpoints();
        v1.MapVpnServerEndpoints();
        v1.MapVpnCrlEndpoints();
        v1.MapClientConfigEndpoints();
        return app;
    }
}
