using System.Text.RegularExpressions;
using AdminPortal.Web.Errors;

namespace AdminPortal.Web.VpnServers;

/// <summary>
/// Extra server.conf directives an operator may add: tuning only. Nothing that runs a program, names a file, changes the
/// keys, the CRL or the management interface, or how the portal starts and stops OpenVPN. The values are checked for
/// shape only: OpenVPN judges them (the publish checks the configuration on the host before any restart).
/// </summary>
public static partial class ServerDirectiveList
{
    public static readonly IReadOnlySet<string> Allowed = new HashSet<string>(StringComparer.Ordinal)
    {
        "verb", "mute", "mute-replay-warnings", "max-clients", "duplicate-cn", "client-to-client", "tun-mtu", "mssfix", "sndbuf",
        "rcvbuf", "txqueuelen", "tcp-queue-limit", "reneg-sec", "hand-window", "tran-window", "connect-freq", "explicit-exit-notify",
        "inactive", "ping-timer-rem", "fast-io", "max-routes-per-client", "bcast-buffers", "tls-timeout",
    };

    [GeneratedRegex(@"\A[A-Za-z0-9._:/-]{1,64}\z", InputText.Linear)]
    private static partial Regex Argument();

    public static Result<string[]> Validate(IReadOnlyList<string>? lines)
    {
        if (lines is null) return Array.Empty<string>();
        if (lines.Count > 32) return new InvalidInput("serverDirectives", "At most 32 extra server directives.");
        var result = new List<string>();
        foreach (var line in lines)
        {
            var parts = (line ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0 || (line ?? "").Any(char.IsControl))
                return new InvalidInput("serverDirectives", "A server directive is one line: a directive name and its arguments.");
            if (!Allowed.Contains(parts[0]))
                return new InvalidInput("serverDirectives",
                    $"'{InputText.Printable(parts[0])}' is not an allowed server directive. Allowed: {string.Join(", ", Allowed.Order())}.");
            if (parts.Length > 4 || parts.Skip(1).Any(a => !Argument().IsMatch(a)))
                return new InvalidInput("serverDirectives", $"The arguments of '{parts[0]}' may hold only letters, digits and . _ : / - (at most 3).");
            result.Add(string.Join(' ', parts));
        }
        return result.ToArray();
    }
}
