using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace AdminPortal.Web.Api;

/// <summary>
/// Enforces an endpoint's <see cref="IRequestSizeLimitMetadata"/> on any server. Routing hands the limit to
/// Kestrel, but a host without <see cref="IHttpMaxRequestBodySizeFeature"/> (TestServer, other in-process
/// hosts) reads any size, and Kestrel's own refusal is an empty 413 after minimal APIs swallow the read
/// error. So the (small) body is read here, up to the limit, and a larger one is a 413 problem+json.
/// </summary>
public static class ApiBodyLimit
{
    public static IApplicationBuilder UseApiBodyLimit(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        var limit = ctx.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize;
        if (limit is { } max && ctx.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != false)
        {
            if (ctx.Request.ContentLength > max || await BufferAsync(ctx, max) is false)
            {
                await TooLargeAsync(ctx, max);
                return;
            }
        }
        await next();
    });

    /// <summary>Replaces the body with an in-memory copy; false when it is longer than <paramref name="max"/>.</summary>
    private static async Task<bool> BufferAsync(HttpContext ctx, long max)
    {
        var copy = new MemoryStream();
        var chunk = new byte[8192];
        try
        {
            int read;
            while ((read = await ctx.Request.Body.ReadAsync(chunk, ctx.RequestAborted)) > 0)
            {
                if (copy.Length + read > max) return false;
                copy.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return false;
        }
        copy.Position = 0;
        ctx.Request.Body = copy;
        ctx.Response.RegisterForDispose(copy);
        return true;
    }

    private static async Task TooLargeAsync(HttpContext ctx, long max)
    {
        ctx.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        await ctx.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = ctx,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status413PayloadTooLarge,
                Title = "The request could not be read",
                Detail = $"The request body is larger than this endpoint accepts ({max / 1024} KiB).",
            },
        });
    }
}
