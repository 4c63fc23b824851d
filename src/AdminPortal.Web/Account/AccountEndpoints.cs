using AdminPortal.Data.Audit;
using AdminPortal.Data.Operators;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;

namespace AdminPortal.Web.Account;

public static class AccountEndpoints
{
    public static WebApplication MapAccountEndpoints(this WebApplication app)
    {
        app.MapPost("/account/logout", async (HttpContext http, SignInManager<Operator> signIn, AuditedWork work, OperatorSessions sessions,
                IAntiforgery antiforgery) =>
            {
                // The antiforgery middleware only records its verdict; an endpoint that binds no form must act on it.
                var verdict = http.Features.Get<IAntiforgeryValidationFeature>();
                if (verdict is { IsValid: false } || verdict is null && !await antiforgery.IsRequestValidAsync(http))
                    return Results.Problem("The sign-out form has expired or did not come from this site.", statusCode: StatusCodes.Status400BadRequest);
                var ended = false;
                if (http.User.Identity?.IsAuthenticated == true)
                {
                    // The session ends on the server, for every copy of the cookie, in the audit event's transaction.
                    var user = http.User;
                    ended = await work.RunAsync<bool>(async (_, db, c) => (await sessions.EndAsync(db, user, c),
                        new AuditEntry(Actors.From(http), "operator.logout", $"operator:{user.Identity.Name}")), http.RequestAborted);
                }
                await signIn.SignOutAsync();
                // Reported done only once no instance would still accept the session from memory.
                if (ended) await sessions.ConfirmEndedAsync(http.RequestAborted);
                return Results.LocalRedirect("/account/login");
            })
            .AllowAnonymous()
            .WithMetadata(new RequireAntiforgeryTokenAttribute())
            .ExcludeFromDescription();
        return app;
    }
}
