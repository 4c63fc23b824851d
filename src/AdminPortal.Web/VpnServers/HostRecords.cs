using System.Globalization;

namespace AdminPortal.Web.VpnServers;

/// <summary>How a candidate CRL compares with the one a host has installed.</summary>
public enum CrlOrder
{
    Older,
    Same,
    Newer,
}

/// <summary>
/// A VPN config directory's records as <c>vpn/state.sh</c> reads them: the installed publish generation, crl.pem's SHA-256, the
/// installed CRL's record (<see cref="PublishScripts.CrlNumberFile"/>: the cRLNumbers and the SHA-256 of the crl.pem it was
/// written with), the backed-up one and the ccd journal (each ccd file's last push generation). The portal decides on these;
/// a script that changes the directory gets <see cref="Token"/> back and goes on only if the host still has it (a
/// compare-and-swap under the publishes' lock).
/// </summary>
public sealed record HostRecords(string Token, long Generation, string CrlSha256, CrlRecord Installed, CrlRecord? Previous,
    IReadOnlyDictionary<string, long> ClientConfigGenerations)
{
    /// <summary>A generation-only token: the fence compares the host's generation alone (restart).</summary>
    public static string GenerationToken(long generation) => "g" + generation.ToString(CultureInfo.InvariantCulture);

    public static HostRecords Parse(string text)
    {
        string? token = null;
        long generation = 0;
        var crlSha = "none";
        var installed = new List<string>();
        List<string>? previous = null;
        var ccd = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0) continue;
            var (key, value) = (line[..space], line[(space + 1)..].Trim());
            switch (key)
            {
                case "token": token = value; break;
                case "generation":
                    if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out generation))
                        throw new FormatException($"the host's publish generation is not a number: '{value}'");
                    break;
                case "crl-sha256": crlSha = value; break;
                case "record": installed.Add(value); break;
                case "previous": (previous ??= []).Add(value); break;
                case "ccd":
                    var parts = value.Split(' ', 2);
                    if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var g)
                        && (!ccd.TryGetValue(parts[1], out var had) || had < g))
                        ccd[parts[1]] = g;
                    break;
            }
        }
        return new HostRecords(token ?? throw new FormatException("the host's records have no token line"), generation, crlSha,
            CrlRecord.Parse(installed), previous is null ? null : CrlRecord.Parse(previous), ccd);
    }

    /// <summary>
    /// How <paramref name="candidate"/> (a CRL's numbers; null for a file with no usable CRL) compares with the installed CRL:
    /// newer when the installed one is unknown (no crl.pem, no record, or a record sealed for another crl.pem: put there by other
    /// means), when a number is higher or the issuers differ; older when a CRL of an issuer in both has a lower number in the
    /// candidate, or only the candidate is unknown.
    /// </summary>
    public CrlOrder Order(CrlStamp? candidate)
    {
        if (!Installed.Seals(CrlSha256)) return CrlOrder.Newer;
        if (candidate is null || candidate.Crls.Count == 0) return CrlOrder.Older;
        var order = CrlOrder.Same;
        foreach (var (issuer, number) in candidate.Crls)
        {
            var installed = Installed.Crls.Where(c => c.Issuer == issuer).Select(c => (long?)c.Number).FirstOrDefault();
            if (installed is not { } i) { order = CrlOrder.Newer; continue; }
            if (number < i) return CrlOrder.Older;
            if (number > i) order = CrlOrder.Newer;
        }
        return order == CrlOrder.Same && candidate.Crls.Count != Installed.Crls.Count ? CrlOrder.Newer : order;
    }

    /// <summary>The installed CRL's numbers for the operator ("12", "12,4"; "unknown" without a record).</summary>
    public string InstalledNumbers => Installed.Crls.Count == 0 ? "unknown" : Installed.Stamp.Numbers;

    /// <summary>
    /// What a publish of <paramref name="generation"/> may do on this host: null when it may install, else why not (a newer
    /// publish is installed).
    /// </summary>
    public string? Supersedes(long generation) => Generation > generation
        ? $"a newer publish (generation {Generation.ToString(CultureInfo.InvariantCulture)}) is already installed; nothing changed " +
          $"(this publish is generation {generation.ToString(CultureInfo.InvariantCulture)})"
        : null;

    /// <summary>The ccd files pushed after a publish of <paramref name="generation"/> rendered: its install keeps them as they are.</summary>
    public IReadOnlyList<string> PushedAfter(long generation) =>
        [.. ClientConfigGenerations.Where(kv => kv.Value > generation).Select(kv => kv.Key).Order(StringComparer.Ordinal)];

    /// <summary>The ccd journal with <paramref name="name"/>'s push at <paramref name="generation"/> (one line per file).</summary>
    public string JournalWith(string name, long generation)
    {
        var journal = new SortedDictionary<string, long>(ClientConfigGenerations.ToDictionary(), StringComparer.Ordinal) { [name] = generation };
        return string.Concat(journal.Select(kv => $"{kv.Value.ToString(CultureInfo.InvariantCulture)} {kv.Key}\n"));
    }
}

/// <summary>A CRL record file: "ISSUER NUMBER" lines and a "sha256 HEX" seal (the crl.pem it was written with).</summary>
public sealed record CrlRecord(IReadOnlyList<(string Issuer, long Number)> Crls, string? Seal)
{
    public static readonly CrlRecord None = new([], null);

    public CrlStamp Stamp => new(Crls);

    /// <summary>Known: the record is there and sealed for the installed crl.pem (<paramref name="crlSha256"/>).</summary>
    public bool Seals(string crlSha256) => crlSha256 != "none" && (Crls.Count > 0 || Seal is not null) && Seal == crlSha256;

    public static CrlRecord Parse(IEnumerable<string> lines)
    {
        var crls = new List<(string, long)>();
        string? seal = null;
        foreach (var line in lines)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2) continue;
            if (parts[0] == "sha256") seal ??= parts[1];
            else if (parts[0].All(char.IsAsciiHexDigitLower) && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                crls.Add((parts[0], n));
        }
        return new CrlRecord(crls, seal);
    }
}
