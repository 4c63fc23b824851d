using AdminPortal.Pki;

namespace AdminPortal.Web.VpnServers.Crl;

/// <summary>The CRL states a VPN server can be in (<c>vpn_servers.CrlStatus</c>).</summary>
public static class CrlState
{
    /// <summary>The deployed file holds the current CRL of every CA, none near its nextUpdate.</summary>
    public const string Ok = "ok";
    /// <summary>A CRL older than the CA's current one (or one missing): revocations since then are not enforced.</summary>
    public const string Stale = "stale";
    /// <summary>A deployed CRL's nextUpdate is within the alert threshold (or past: OpenVPN then rejects everyone).</summary>
    public const string Expiring = "expiring";
    /// <summary>The file could not be read or parsed over SSH.</summary>
    public const string Unreadable = "unreadable";
    /// <summary>The last push failed (connection, permissions, management interface).</summary>
    public const string PushFailed = "push-failed";

    public static bool IsAlert(string? state) => state is Stale or Expiring or Unreadable or PushFailed;
}

/// <summary>The verdict on one server's deployed CRL file and the figures to record.</summary>
public sealed record CrlVerdict(string State, string? Problem, string? DeployedNumbers, DateTimeOffset? DeployedNextUpdate)
{
    public bool IsAlert => CrlState.IsAlert(State);
}

/// <summary>Compares a deployed crl-verify file with the CAs' current CRLs.</summary>
public static class CrlFreshness
{
    /// <param name="deployedPem">The file's text; null when it could not be read (<paramref name="readError"/> says why).</param>
    /// <param name="current">The current CRL of each CA, in chain order (issuing first).</param>
    public static CrlVerdict Judge(string? deployedPem, string? readError, IReadOnlyList<CrlFacts> current, DateTimeOffset now, TimeSpan threshold)
    {
        if (deployedPem is null) return new CrlVerdict(CrlState.Unreadable, readError ?? "the CRL file could not be read", null, null);
        IReadOnlyList<CrlFacts> deployed;
        try
        {
            deployed = CrlFacts.ReadPem(deployedPem);
        }
        catch (FormatException e)
        {
            return new CrlVerdict(CrlState.Unreadable, $"the deployed CRL file is not usable: {e.Message}", null, null);
        }
        var numbers = Numbers(deployed);
        var nextUpdate = deployed.Select(d => d.NextUpdate).Min();
        foreach (var ca in current)
        {
            var mine = deployed.Where(d => d.IssuerDer.AsSpan().SequenceEqual(ca.IssuerDer)).ToList();
            if (mine.Count == 0)
                return new CrlVerdict(CrlState.Stale, $"the deployed file lacks the CRL of {ca.Issuer} (current number {ca.Number})", numbers, nextUpdate);
            if (mine.Max(m => m.Number) < ca.Number)
                return new CrlVerdict(CrlState.Stale,
                    $"the deployed CRL of {ca.Issuer} is number {mine.Max(m => m.Number)}, the current one is {ca.Number}", numbers, nextUpdate);
        }
        if (nextUpdate is { } next && next - now <= threshold)
            return new CrlVerdict(CrlState.Expiring, next <= now
                ? $"the deployed CRL expired at {next:u}: OpenVPN rejects every client"
                : $"the deployed CRL's nextUpdate {next:u} is within {Describe(threshold)}", numbers, nextUpdate);
        return new CrlVerdict(CrlState.Ok, null, numbers, nextUpdate);
    }

    /// <summary>The cRLNumbers in file order, as recorded on the server row (e.g. <c>12</c>, or <c>12,4</c> for a two-tier CA).</summary>
    public static string Numbers(IEnumerable<CrlFacts> crls) => string.Join(',', crls.Select(c => c.Number));

    private static string Describe(TimeSpan t) => t.TotalDays >= 1 ? $"{t.TotalDays:0.#} days" : $"{t.TotalHours:0.#} hours";
}
