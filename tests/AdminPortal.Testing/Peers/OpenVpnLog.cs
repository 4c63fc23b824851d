using System.Text;
using System.Text.RegularExpressions;

namespace AdminPortal.Tests.Peers;

/// <summary>An OpenVPN log file (<c>log FILE</c>) read while the program is still writing it.</summary>
internal sealed partial class OpenVpnLog(string path)
{
    public string Path { get; } = path;

    /// <summary>Where the file ends now: the mark from which <see cref="LinesSince"/> reads.</summary>
    public long End => File.Exists(Path) ? new FileInfo(Path).Length : 0;

    /// <summary>The complete lines written after <paramref name="mark"/> (a half-written last line waits for the next call).</summary>
    public IReadOnlyList<string> LinesSince(long mark)
    {
        if (!File.Exists(Path)) return [];
        using var f = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (f.Length <= mark) return [];
        f.Seek(mark, SeekOrigin.Begin);
        var text = new StreamReader(f, Encoding.UTF8).ReadToEnd();
        var complete = text[..(text.LastIndexOf('\n') + 1)];
        return complete.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public string Tail(int lines = 40, long mark = 0) => string.Join('\n', LinesSince(mark).TakeLast(lines));

    /// <summary>The client's source port from the server's "TCP connection established" line.</summary>
    public static int? ConnectionPort(IEnumerable<string> serverLines) =>
        serverLines.Select(l => TcpEstablished().Match(l)).Where(m => m.Success).Select(m => (int?)int.Parse(m.Groups[1].Value)).FirstOrDefault();

    /// <summary>Server lines about one client connection: prefixed "127.0.0.1:PORT " or "CN/127.0.0.1:PORT ".</summary>
    public static IReadOnlyList<string> PeerLines(IEnumerable<string> serverLines, int port) =>
        [.. serverLines.Where(l => l.Contains($" 127.0.0.1:{port} ") || l.Contains($"/127.0.0.1:{port} "))];

    /// <summary>Why a handshake failed: the OpenSSL verify error ("certificate revoked", "CRL has expired"...),
    /// else the first error-like line without its timestamp.</summary>
    public static string? FailureReason(IEnumerable<string> lines)
    {
        var list = lines.ToList();
        var verify = list.Select(l => VerifyError().Match(l)).FirstOrDefault(m => m.Success);
        if (verify is not null) return verify.Groups[1].Value.Trim();
        var error = list.FirstOrDefault(l => l.Contains("ERROR", StringComparison.Ordinal) || l.Contains("Error", StringComparison.Ordinal)
            || l.Contains("does not have", StringComparison.Ordinal) || l.Contains("AUTH_FAILED", StringComparison.Ordinal));
        return error is null ? null : Timestamp().Replace(error, "");
    }

    public static bool HandshakeFailed(IEnumerable<string> peerLines) => peerLines.Any(l =>
        l.Contains("TLS Error: TLS handshake failed", StringComparison.Ordinal) || l.Contains("Fatal TLS error", StringComparison.Ordinal)
        || l.Contains("AUTH_FAILED", StringComparison.Ordinal));

    public static string? PeerCommonName(IEnumerable<string> peerLines) =>
        peerLines.Select(l => PeerInitiated().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).FirstOrDefault();

    [GeneratedRegex(@"TCP connection established with \[AF_INET\]127\.0\.0\.1:(\d+)")]
    private static partial Regex TcpEstablished();

    [GeneratedRegex(@"VERIFY ERROR: depth=\d+, error=([^:]+)")]
    private static partial Regex VerifyError();

    [GeneratedRegex(@"\[([^\]]+)\] Peer Connection Initiated")]
    private static partial Regex PeerInitiated();

    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ")]
    private static partial Regex Timestamp();
}
