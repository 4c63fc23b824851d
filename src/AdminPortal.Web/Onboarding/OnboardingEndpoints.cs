using AdminPortal.Web.Errors;
using AdminPortal.Web.Security;

namespace AdminPortal.Web.Onboarding;

public static class OnboardingEndpoints
{
    public static RouteGroupBuilder MapOnboardingEndpoints(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/onboarding").WithTags("Onboarding").RequireAuthorization(Permissions.CertificatesIssue);
        g.MapPost("", async (OnboardingRequest body, HttpContext http, OnboardingService svc, CancellationToken ct) =>
                (await svc.StartAsync(body, Actors.From(http), ct)).ToHttp(s => TypedResults.Accepted($"/api/v1/onboarding/{s.Id}", s)))
            .WithSummary("Onboards a person: certificate, then shell accounts on `hosts`, then the profile link by email. 202 with the run id; steps run in the background.");
        g.MapGet("", async (OnboardingService svc, int? limit, CancellationToken ct) => TypedResults.Ok(await svc.ListAsync(limit ?? 50, ct)))
            .WithSummary("Recent onboarding runs, newest first.");
        g.MapGet("/{id:guid}", async (Guid id, OnboardingService svc, CancellationToken ct) =>
                await svc.GetAsync(id, ct) is { } run ? Results.Ok(run) : new NotFound("Onboarding run", id.ToString()).ToProblem())
            .WithSummary("A run with each step's status, result and times.");
        g.MapPost("/{id:guid}/retry", async (Guid id, HttpContext http, OnboardingService svc, CancellationToken ct) =>
                (await svc.RetryAsync(id, Actors.From(http), ct)).ToHttp(s => TypedResults.Accepted($"/api/v1/onboarding/{s.Id}", s)))
            .WithSummary("Runs the failed and pending steps again (409 unless the run failed); done steps are not redone.");
        return api;
    }
}
