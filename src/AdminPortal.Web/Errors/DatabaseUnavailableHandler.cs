using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace AdminPortal.Web.Errors;

/// <summary>
/// A request that failed because PostgreSQL could not be reached (restarting, down, no connection left) is a 503
/// problem+json with Retry-After, not a 500: the client may try again, and the portal recovers by itself once the
/// database answers (Npgsql drops the broken connections). A change is committed with its audit event or not at all;
/// only a connection lost during the commit itself leaves the outcome unknown, which the detail says.
/// </summary>
public sealed class DatabaseUnavailableHandler(IProblemDetailsService problems, ILogger<DatabaseUnavailableHandler> log) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsDatabaseUnavailable(exception) || httpContext.Response.HasStarted) return false;
        log.DatabaseUnavailable(httpContext.Request.Method, httpContext.Request.Path, exception.GetBaseException().Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable, Title = "The database is unavailable",
                Detail = "The portal could not reach its database; try again in a few seconds. A change is saved with its audit " +
                    "event or not at all: if the connection was lost while it was being committed, check whether it is there before repeating it.",
            },
            Exception = exception,
        });
    }

    /// <summary>True for a lost or refused connection and for the server's shutdown, crash and start-up errors, at any depth.</summary>
    public static bool IsDatabaseUnavailable(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is PostgresException pg) return pg.SqlState.StartsWith("57P", StringComparison.Ordinal) || pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                || pg.SqlState.StartsWith("53", StringComparison.Ordinal);
            if (e is NpgsqlException { IsTransient: true } or DatabaseConnectionLostException) return true;
        }
        return false;
    }
}

internal static partial class DatabaseUnavailableHandlerLog
{
    [LoggerMessage(LogLevel.Warning, "{Method} {Path}: the database is unavailable ({Error})")]
    public static partial void DatabaseUnavailable(this ILogger logger, string method, PathString path, string error);
}
