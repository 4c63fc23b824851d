using System.Collections.Concurrent;

namespace AdminPortal.Web.Remote;

/// <summary>
/// A shell script that runs on a managed host: a <c>.sh</c> file under <c>Remote/Scripts/</c>, embedded in the assembly.
/// Its text is constant; every value reaches it as a positional argument or on stdin (<see cref="RootCommand"/>). A line
/// <c>. ./lib.sh</c> (or <c>. ./vpn/records.sh</c>: any embedded script by its path) is replaced by that script's text when the
/// script is loaded (shellcheck follows it with <c>-x</c>, run from <c>Remote/Scripts</c>).
/// </summary>
public sealed record HostScript(string Name, string Text)
{
    private const string IncludePrefix = ". ./";
    private static readonly ConcurrentDictionary<string, HostScript> Loaded = new(StringComparer.Ordinal);

    /// <summary>The embedded script <c>Remote/Scripts/<paramref name="name"/>.sh</c> (a path with <c>/</c> for a subfolder).</summary>
    public static HostScript Load(string name) => Loaded.GetOrAdd(name, static n => new HostScript(n, Inline(Read(n))));

    /// <summary>Every embedded script's name (without <c>.sh</c>), lib.sh included.</summary>
    public static IReadOnlyList<string> Names()
    {
        const string prefix = "AdminPortal.Web.Remote.Scripts.";
        return [.. typeof(HostScript).Assembly.GetManifestResourceNames()
            .Where(r => r.StartsWith(prefix, StringComparison.Ordinal) && r.EndsWith(".sh", StringComparison.Ordinal))
            .Select(r => r[prefix.Length..^3].Replace('.', '/'))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>Replaces each line <c>. ./NAME.sh</c> (lib.sh, or a folder's own include such as <c>vpn/records.sh</c>) with that script's text.</summary>
    private static string Inline(string text)
    {
        if (!text.Contains(IncludePrefix, StringComparison.Ordinal)) return text;
        return string.Join('\n', text.Split('\n').Select(l => l.Trim() is var t && t.StartsWith(IncludePrefix, StringComparison.Ordinal) && t.EndsWith(".sh", StringComparison.Ordinal)
            ? Read(t[IncludePrefix.Length..^3]).TrimEnd('\n') : l));
    }

    private static string Read(string name)
    {
        var resource = "AdminPortal.Web.Remote.Scripts." + name.Replace('/', '.') + ".sh";
        using var stream = typeof(HostScript).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"No embedded host script {resource}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    }
}
