using System.Globalization;

namespace AdminPortal.Pki.EasyRsa;

/// <summary>One line of easy-rsa's (OpenSSL ca's) index.txt.</summary>
public sealed record IndexEntry(char Status, DateTimeOffset Expires, DateTimeOffset? RevokedAt, RevocationReason? Reason, string SerialHex, string Subject)
{
    /// <summary>The CN from a subject like <c>/CN=alice</c> or <c>/C=DE/CN=alice/O=x</c>.</summary>
    public string? CommonName => Subject.Split('/', StringSplitOptions.RemoveEmptyEntries)
        .Select(p => p.Split('=', 2)).Where(p => p.Length == 2 && p[0] == "CN").Select(p => p[1]).LastOrDefault();
}

/// <summary>Parses index.txt: status V/R/E, expiry, revocation date[,reason], serial, file (unknown), subject; tab-separated.</summary>
public static class IndexFile
{
    public static (IReadOnlyList<IndexEntry> Entries, IReadOnlyList<string> Problems) Parse(string text)
    {
        var entries = new List<IndexEntry>();
        var problems = new List<string>();
        var lineNo = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNo++;
            if (line.Trim().Length == 0) continue;
            var f = line.TrimEnd('\r').Split('\t');
            if (f.Length < 6 || f[0].Length != 1 || "VRE".IndexOf(f[0][0]) < 0 || !TryTime(f[1], out var expires))
            {
                problems.Add($"index.txt line {lineNo}: not an index entry");
                continue;
            }
            DateTimeOffset? revokedAt = null;
            RevocationReason? reason = null;
            if (f[0][0] == 'R')
            {
                var parts = f[2].Split(',', 2);
                if (!TryTime(parts[0], out var at))
                {
                    problems.Add($"index.txt line {lineNo}: revoked without a valid revocation date");
                    continue;
                }
                revokedAt = at;
                reason = parts.Length > 1 && RevocationReasons.TryParse(parts[1], out var r) ? r : RevocationReason.Unspecified;
            }
            entries.Add(new IndexEntry(f[0][0], expires, revokedAt, reason, f[3].Trim().ToUpperInvariant(), f[5].Trim()));
        }
        return (entries, problems);
    }

    // YYMMDDHHMMSSZ (UTCTime) or YYYYMMDDHHMMSSZ (GeneralizedTime).
    private static bool TryTime(string s, out DateTimeOffset t)
    {
        var ok = DateTimeOffset.TryParseExact(s.Trim(), ["yyMMddHHmmss'Z'", "yyyyMMddHHmmss'Z'"], CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out t);
        return ok;
    }
}
