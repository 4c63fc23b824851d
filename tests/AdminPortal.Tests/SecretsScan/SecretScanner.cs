using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace AdminPortal.Tests.SecretsScan;

/// <summary>Where a secret was found: the file, the line, what kind, and only the first characters of it.</summary>
public sealed record Finding(string File, int Line, string Kind, string Hint)
{
    public override string ToString() => $"{File}:{Line}: {Kind} ({Hint}…)";
}

/// <summary>
/// Finds recorded secrets (verbatim, all at once with <see cref="SearchValues{T}"/>) and the shapes of the
/// portal's secrets (private keys, API tokens, one-time link tokens, TOTP keys in otpauth URIs) in text.
/// </summary>
public sealed partial class SecretScanner
{
    /// <summary>Shorter values (a six-digit code, a role name) are not secrets worth a verbatim search.</summary>
    public const int MinLength = 8;

    private readonly Dictionary<string, string> _kinds;
    private readonly SearchValues<string>? _values;

    public SecretScanner(IEnumerable<(string Kind, string Value)> secrets)
    {
        _kinds = secrets.Where(s => s.Value.Length >= MinLength).GroupBy(s => s.Value).ToDictionary(g => g.Key, g => g.First().Kind);
        _values = _kinds.Count == 0 ? null : SearchValues.Create(_kinds.Keys.ToArray(), StringComparison.Ordinal);
    }

    public int Count => _kinds.Count;

    public static IEnumerable<(string Kind, string Value)> ReadLedger(string path) =>
        File.ReadLines(path).Select(l => l.Split('\t')).Where(p => p.Length == 2)
            .Select(p => (p[0], Encoding.UTF8.GetString(Convert.FromBase64String(p[1]))));

    [GeneratedRegex(@"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")]
    private static partial Regex PrivateKey();

    [GeneratedRegex(@"\bap_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")]
    private static partial Regex ApiToken();

    [GeneratedRegex(@"/(?:d|account/setup)/[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")]
    private static partial Regex LinkToken();

    [GeneratedRegex(@"otpauth://[^\s""]*secret=[A-Z2-7]{16,}", RegexOptions.IgnoreCase)]
    private static partial Regex TotpUri();

    private static readonly (string Kind, Regex Pattern)[] Shapes =
        [("private key", PrivateKey()), ("API token", ApiToken()), ("link token", LinkToken()), ("TOTP key URI", TotpUri())];

    /// <summary>Every secret in the text, one finding per occurrence.</summary>
    public IEnumerable<Finding> Scan(string file, string text)
    {
        var lineStarts = LineStarts(text);
        foreach (var (kind, pattern) in Shapes)
            foreach (Match m in pattern.Matches(text))
                yield return new Finding(file, LineOf(lineStarts, m.Index), kind, m.Value[..Math.Min(8, m.Value.Length)]);
        if (_values is null) yield break;
        for (var at = 0; at < text.Length;)
        {
            var hit = text.AsSpan(at).IndexOfAny(_values);
            if (hit < 0) yield break;
            var start = at + hit;
            var value = _kinds.Keys.Where(k => string.CompareOrdinal(text, start, k, 0, k.Length) == 0).MaxBy(k => k.Length)!;
            yield return new Finding(file, LineOf(lineStarts, start), _kinds[value], value[..3]);
            at = start + value.Length;
        }
    }

    private static List<int> LineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (var i = text.IndexOf('\n'); i >= 0; i = text.IndexOf('\n', i + 1)) starts.Add(i + 1);
        return starts;
    }

    private static int LineOf(List<int> starts, int index)
    {
        var i = starts.BinarySearch(index);
        return (i >= 0 ? i : ~i - 1) + 1;
    }
}
