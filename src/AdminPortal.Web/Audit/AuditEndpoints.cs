using System.Globalization;
using System.Text;
using System.Text.Json;
using AdminPortal.Data.Audit;
using AdminPortal.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AdminPortal.Web.Audit;

public static class AuditEndpoints
{
    public static RouteGroupBuilder MapAuditEndpoints(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/audit").WithTags("Audit");
        g.MapGet("", PageAsync).RequireAuthorization(Permissions.AuditRead)
            .WithSummary("Audit events, newest first. Page with `before` = the `nextBefore` of the previous page.");
        g.MapGet("/{sequence:long}", async Task<Results<Ok<AuditEventDto>, ProblemHttpResult>> (long sequence, AuditQuery q, CancellationToken ct) =>
                await q.GetAsync(sequence, ct) is { } e ? TypedResults.Ok(e) : TypedResults.Problem($"There is no audit event {sequence}.", statusCode: 404, title: "Audit event not found"))
            .RequireAuthorization(Permissions.AuditRead).WithSummary("One audit event.");
        g.MapGet("/export", ExportAsync).RequireAuthorization(Permissions.AuditExport)
            .WithSummary("All matching events, oldest first, as CSV (`format=csv`) or JSON (`format=json`).");
        g.MapGet("/verify", async (HttpContext http, AuditIntegrity integrity, CancellationToken ct) =>
                TypedResults.Ok(await integrity.VerifyAsync(Actors.From(http), ct)))
            .RequireAuthorization(Permissions.AuditRead).WithSummary("Walks the whole chain and checks it against the latest signed checkpoint.");
        g.MapPost("/checkpoints", async (HttpContext http, AuditIntegrity integrity, CancellationToken ct) =>
                TypedResults.Ok(await integrity.CheckpointAsync(Actors.From(http), ct)))
            .RequireAuthorization(Permissions.AuditCheckpoint).WithSummary("Signs the current chain head now and writes the checkpoint outside the database.");
        return api;
    }

    private static async Task<Results<Ok<AuditPage>, ValidationProblem>> PageAsync(
        AuditQuery q, DateTimeOffset? from, DateTimeOffset? to, string? actor, string? action, string? target, string? outcome,
        long? before, int? limit, CancellationToken ct)
    {
        if (limit is < 1 or > AuditQuery.MaxPageSize)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"limit must be between 1 and {AuditQuery.MaxPageSize}."] });
        var filter = new AuditFilter(from, to, actor, action, target, outcome);
        if (Unstorable(filter) is { } bad) return bad;
        return TypedResults.Ok(await q.PageAsync(filter, before, limit ?? 50, ct));
    }

    private static async Task<IResult> ExportAsync(
        HttpContext http, AuditQuery q, AuditedWork work, string? format, DateTimeOffset? from, DateTimeOffset? to,
        string? actor, string? action, string? target, string? outcome, CancellationToken ct)
    {
        format = (format ?? "json").ToLowerInvariant();
        if (format is not ("csv" or "json"))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = ["format must be 'csv' or 'json'."] });
        var filter = new AuditFilter(from, to, actor, action, target, outcome);
        if (Unstorable(filter) is { } bad) return bad;
        await work.RecordAsync(new AuditEntry(Actors.From(http), "audit.exported", "audit", new { format, filter }), ct);
        http.Response.ContentType = format == "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"audit.{format}\"";
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false));
        if (format == "csv") await WriteCsvAsync(writer, q.StreamAsync(filter, ct), ct);
        else await WriteJsonAsync(writer, q.StreamAsync(filter, ct), ct);
        return TypedResults.Empty;
    }

    private static ValidationProblem? Unstorable(AuditFilter filter) =>
        filter.UnstorableField() is { } field
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [$"{field} contains a NUL or an unpaired surrogate character."] })
            : null;

    private static async Task WriteCsvAsync(StreamWriter w, IAsyncEnumerable<AuditEvent> rows, CancellationToken ct)
    {
        await w.WriteLineAsync("sequence,occurred_at,actor,actor_role,action,target,details,client_address,outcome,prev_hash,hash");
        await foreach (var e in rows.WithCancellation(ct))
        {
            string[] fields = [e.Sequence.ToString(CultureInfo.InvariantCulture), e.OccurredAt.UtcDateTime.ToString("O"), e.Actor, e.ActorRole,
                e.Action, e.Target, e.Details, e.ClientAddress ?? "", e.Outcome, Convert.ToHexStringLower(e.PrevHash), Convert.ToHexStringLower(e.Hash)];
            await w.WriteLineAsync(string.Join(',', fields.Select(Csv)));
        }
    }

    // Quote every field that needs it, and defuse spreadsheet formulas.
    private static string Csv(string s)
    {
        if (s.Length > 0 && s[0] is '=' or '+' or '-' or '@' or '\t' or '\r') s = "'" + s;
        return s.IndexOfAny([',', '"', '\n', '\r']) >= 0 || s.StartsWith('\'') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
    }

    private static async Task WriteJsonAsync(StreamWriter w, IAsyncEnumerable<AuditEvent> rows, CancellationToken ct)
    {
        await w.WriteAsync('[');
        var first = true;
        await foreach (var e in rows.WithCancellation(ct))
        {
            if (!first) await w.WriteAsync(',');
            first = false;
            await w.WriteAsync(JsonSerializer.Serialize(AuditEventDto.From(e), JsonSerializerOptions.Web));
        }
        await w.WriteAsync(']');
    }
}
