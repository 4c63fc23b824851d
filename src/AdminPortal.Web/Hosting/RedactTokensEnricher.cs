using System.Text.RegularExpressions;
using Serilog.Core;
using Serilog.Events;

namespace AdminPortal.Web.Hosting;

/// <summary>
/// One-time links carry their token in the path (<c>/account/setup/TOKEN</c>); a path segment that looks
/// like a token (32+ URL-safe base64 characters) is replaced before any log event is written.
/// </summary>
public sealed partial class RedactTokensEnricher : ILogEventEnricher
{
    [GeneratedRegex("(?<=/)[A-Za-z0-9_-]{32,}(?=/|$|\\?)")]
    private static partial Regex TokenSegment();

    public static string Redact(string path) => TokenSegment().Replace(path, "***");

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        foreach (var name in (string[])["RequestPath", "Path"])
        {
            if (logEvent.Properties.TryGetValue(name, out var value) && value is ScalarValue { Value: string path } && TokenSegment().IsMatch(path))
                logEvent.AddOrUpdateProperty(propertyFactory.CreateProperty(name, Redact(path)));
        }
    }
}
