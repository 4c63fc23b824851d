using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace AdminPortal.Web.Errors;

public static class ProblemMapping
{
    public static IResult ToProblem(this PortalError error) => error is InvalidInput invalid
        ? TypedResults.ValidationProblem(
            new Dictionary<string, string[]> { [invalid.Field] = [invalid.Message] },
            detail: invalid.Message, title: invalid.Title)
        : TypedResults.Problem(error.Detail, statusCode: error.Status, title: error.Title);

    public static IResult ToHttp<T>(this Result<T> result, Func<T, IResult> ok) =>
        result.Ok ? ok(result.Value!) : result.Error!.ToProblem();
}

/// <summary>
/// Turns malformed requests (bad JSON, invalid UTF-8, bodies over the limit) into a clear 400/413
/// problem+json rather than an empty response or a 500.
/// </summary>
public sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad) return false;
        var status = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? 413 : 400;
        var detail = status == 413
            ? "The request body is larger than this endpoint accepts."
            : bad.InnerException is System.Text.Json.JsonException json
                ? $"The request body is not valid JSON: {json.Message.Split(" Path:")[0]}"
                // Minimal APIs say "Implicit body inferred for parameter ... but no body was provided": clear to us, not to a client.
                : bad.Message.Contains("no body was provided", StringComparison.Ordinal)
                    ? "The request body is empty: this endpoint takes a JSON object."
                    : bad.Message;
        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ProblemDetails { Status = status, Title = "The request could not be read", Detail = detail },
            Exception = exception,
        });
    }
}
