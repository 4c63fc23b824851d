using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AngleSharp.Html.Parser;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.Hostile;

/// <summary>What every case is judged by: nothing changed (row counts), and input shown as text, never as markup.</summary>
public static class HostileChecks
{
    /// <summary>Audit actions a refusal may write: it is recorded, but it changes nothing.</summary>
    private static readonly string[] RefusalRecords = ["access.denied", "operator.login.failed"];

    /// <summary>Tables only background jobs and sign-ins touch.</summary>
    private static readonly string[] Background = ["job_runs", "DataProtectionKeys", "audit_events", "audit_chain_heads"];

    /// <summary>The number of rows of every table (audit events: those a change writes), by table.</summary>
    public static async Task<Dictionary<string, long>> RowCountsAsync(PortalDbContext db)
    {
        var tables = db.Model.GetEntityTypes().Select(t => t.GetTableName()).OfType<string>().Distinct()
            .Where(t => !Background.Contains(t)).Order().ToList();
        var counts = new Dictionary<string, long>();
        // Table names come from the model, not from input; one round trip for all of them.
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT " + string.Join(", ", tables.Select(t => "(SELECT count(*) FROM \"" + t + "\")"));
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            for (var i = 0; i < tables.Count; i++) counts[tables[i]] = reader.GetInt64(i);
        }
        counts["audit (changes)"] = await db.AuditEvents.LongCountAsync(e => e.Actor != AuditActor.System.Name && !RefusalRecords.Contains(e.Action));
        return counts;
    }

    public static string Diff(Dictionary<string, long> before, Dictionary<string, long> after) =>
        string.Join(", ", after.Where(kv => before.GetValueOrDefault(kv.Key) != kv.Value).Select(kv => $"{kv.Key} {before.GetValueOrDefault(kv.Key)}→{kv.Value}"));

    private static readonly string[] ActiveTags = ["script", "iframe", "svg", "img", "style", "object", "embed", "a", "b"];

    /// <summary>
    /// Fails when the page holds markup made from <paramref name="payload"/> (an element the payload names carrying its marker, an
    /// on* handler or a javascript: URL with it), or when <paramref name="mustShow"/> and the payload is not on the page as text
    /// (or as a form field's value). <paramref name="serverHtml"/>: the text is the server's own HTML, where even quoted attribute
    /// values have '&lt;' encoded (so the payload must not appear verbatim at all).
    /// </summary>
    public static void AssertEscaped(string html, string payload, string marker, string where, bool mustShow = true, bool serverHtml = true)
    {
        var doc = new HtmlParser().ParseDocument(html);
        foreach (var e in doc.All)
        {
            foreach (var a in e.Attributes)
            {
                Assert.False(a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase) && a.Value.Contains(marker),
                    $"{where}: an event handler from input: <{e.LocalName} {a.Name}=\"{a.Value}\">");
                Assert.False(a.Name is "href" or "src" or "action" or "formaction" && a.Value.TrimStart().StartsWith("javascript:", StringComparison.OrdinalIgnoreCase)
                    && a.Value.Contains(marker), $"{where}: a javascript: URL from input: {a.Value}");
            }
            Assert.False(ActiveTags.Contains(e.LocalName) && e.OuterHtml.Contains(marker) && !e.TextContent.Contains(payload),
                $"{where}: a <{e.LocalName}> element made from input: {e.OuterHtml[..Math.Min(200, e.OuterHtml.Length)]}");
        }
        // The server encodes '<' even inside attribute values; bunit's markup (AngleSharp's serialisation) leaves it in quoted attributes.
        if (serverHtml && payload.IndexOfAny(['<', '>']) >= 0) Assert.DoesNotContain(payload, html);
        if (!mustShow) return;
        var text = doc.Body?.TextContent ?? "";
        var values = doc.All.SelectMany(e => e.Attributes.Where(a => a.Name == "value").Select(a => a.Value)).ToList();
        foreach (var line in payload.Split('\n').Where(l => l.Length > 0))
            Assert.True(text.Contains(line) || values.Any(v => v.Contains(line)), $"{where}: '{line}' is not shown on the page");
    }
}
