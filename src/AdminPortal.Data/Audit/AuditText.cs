using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AdminPortal.Data.Audit;

/// <summary>
/// Text the database can store: PostgreSQL refuses NUL in text and strict UTF-8 refuses lone surrogates, so
/// either would turn an event (often about hostile input) into a failed request and no event at all.
/// </summary>
public static class AuditText
{
    /// <summary>NUL and lone surrogates replaced by U+FFFD; other text unchanged.</summary>
    public static string Clean(string s) => IsStorable(s) ? s : Rebuild(s);

    public static string? CleanOrNull(string? s) => s is null ? null : Clean(s);

    /// <summary>Whether PostgreSQL can store this text as it is (no NUL, no lone surrogate).</summary>
    public static bool IsStorable(string s)
    {
        // Almost all text has neither: two vectorized scans decide it; only text with a surrogate is walked.
        var span = s.AsSpan();
        if (span.IndexOfAnyInRange('\uD800', '\uDFFF') < 0) return !span.Contains('\0');
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\0') return false;
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            else if (char.IsSurrogate(s[i])) return false;
        }
        return true;
    }

    /// <summary>At most <paramref name="max"/> chars, never cutting a surrogate pair in two.</summary>
    public static string Truncate(string s, int max) =>
        s.Length <= max ? s : s[..(char.IsHighSurrogate(s[max - 1]) ? max - 1 : max)];

    private static string Rebuild(string s)
    {
        var b = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) b.Append(s[i]).Append(s[++i]);
            else b.Append(s[i] == '\0' || char.IsSurrogate(s[i]) ? '\uFFFD' : s[i]);
        }
        return b.ToString();
    }

    /// <summary>Cleans every string value of serialized details (jsonb refuses \u0000 and unpaired \ud800 escapes).</summary>
    internal sealed class Converter : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString();
        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(Clean(value));
    }
}
