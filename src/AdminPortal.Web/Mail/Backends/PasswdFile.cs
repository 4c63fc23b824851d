using System.Text;

namespace AdminPortal.Web.Mail.Backends;

/// <summary>
/// One line of a Dovecot passwd-file: <c>user:password:uid:gid:gecos:home:shell:extra fields</c> (the extra fields are
/// the rest of the line, space-separated, and may hold colons).
/// </summary>
public sealed record PasswdLine(string User, string Password, string Uid, string Gid, string Gecos, string Home, string Shell, IReadOnlyList<string> Extra)
{
    /// <summary>The passdb extra field that makes Dovecot refuse the login ("Login disabled for this user"); removing it enables.</summary>
    public const string NoLogin = "nologin=y";
    private const string QuotaPrefix = "userdb_quota_rule=";

    public bool Disabled => Extra.Any(e => e == "nologin" || e.StartsWith("nologin=", StringComparison.Ordinal));
    public string? QuotaRule => Extra.FirstOrDefault(e => e.StartsWith(QuotaPrefix, StringComparison.Ordinal))?[QuotaPrefix.Length..];

    public static PasswdLine? Parse(string line)
    {
        if (line.Length == 0 || line.StartsWith('#')) return null;
        var f = line.Split(':', 8);
        string At(int i) => i < f.Length ? f[i] : "";
        return new PasswdLine(f[0], At(1), At(2), At(3), At(4), At(5), At(6),
            At(7).Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    public string Format() => $"{User}:{Password}:{Uid}:{Gid}:{Gecos}:{Home}:{Shell}:{string.Join(' ', Extra)}";

    public PasswdLine WithEnabled(bool enabled) => this with
    {
        Extra = [.. Extra.Where(e => e != "nologin" && !e.StartsWith("nologin=", StringComparison.Ordinal)), .. enabled ? Array.Empty<string>() : [NoLogin]],
    };

    public static IReadOnlyList<string> QuotaField(string? rule) => rule is null ? [] : [QuotaPrefix + rule];
}

/// <summary>A passwd-file's lines; the portal changes only the line of the address it is asked about and keeps every other byte.</summary>
public sealed class PasswdFile(string text)
{
    private readonly List<string> _lines = text.Length == 0 ? [] : [.. text.TrimEnd('\n').Split('\n')];

    public IEnumerable<PasswdLine> Entries => _lines.Select(PasswdLine.Parse).OfType<PasswdLine>();

    public PasswdLine? Find(string user) => Entries.FirstOrDefault(e => e.User == user);

    public void Add(PasswdLine line) => _lines.Add(line.Format());

    /// <summary>Replaces the user's line (null removes it); false when the user has no line.</summary>
    public bool Replace(string user, PasswdLine? line)
    {
        var i = _lines.FindIndex(l => PasswdLine.Parse(l)?.User == user);
        if (i < 0) return false;
        if (line is null) _lines.RemoveAt(i);
        else _lines[i] = line.Format();
        return true;
    }

    public byte[] ToBytes() => Encoding.UTF8.GetBytes(_lines.Count == 0 ? "" : string.Join('\n', _lines) + "\n");
}
