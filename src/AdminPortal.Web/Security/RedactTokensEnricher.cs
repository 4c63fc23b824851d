using Serilog.Core;
using Serilog.Events;

namespace AdminPortal.Web.Security;

/// <summary>
/// One-time links carry their token in the path (<c>/account/setup/TOKEN</c>); a path segment that looks
/// like a token (32+ URL-safe base64 characters after a '/', up to a '/', a '?' or the end) is replaced before any
/// log event is written. A plain scan, one pass: no pattern to backtrack.
/// </summary>
public sealed class RedactTokensEnricher : ILogEventEnricher
{
    private const int MinTokenLength = 32;
    private static readonly string[] Properties = ["RequestPath", "Path"];

    public static string Redact(string path)
    {
        System.Text.StringBuilder? redacted = null;
        var copied = 0;
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] != '/') continue;
            var end = i + 1;
            while (end < path.Length && IsTokenChar(path[end])) end++;
            if (end - i - 1 >= MinTokenLength && (end == path.Length || path[end] is '/' or '?' || (path[end] == '\n' && end == path.Length - 1)))
            {
                redacted ??= new System.Text.StringBuilder(path.Length);
                redacted.Append(path, copied, i + 1 - copied).Append("***");
                copied = end;
            }
            i = end - 1;
        }
        return redacted is null ? path : redacted.Append(path, copied, path.Length - copied).ToString();
    }

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        foreach (var name in Properties)
        {
            if (logEvent.Properties.TryGetValue(name, out var value) && value is ScalarValue { Value: string path } && Redact(path) is var clean && !ReferenceEquals(clean, path))
                logEvent.AddOrUpdateProperty(propertyFactory.CreateProperty(name, clean));
        }
    }
}
