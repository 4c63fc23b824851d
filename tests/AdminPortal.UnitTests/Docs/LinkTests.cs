using System.Text;
using System.Text.RegularExpressions;

namespace AdminPortal.UnitTests.Docs;

/// <summary>
/// The README is the front door (under 450 lines) and docs/ holds the rest: every relative Markdown link in README.md and
/// docs/**/*.md must reach a file of the checkout and, when it names one, a heading of that file (GitHub's anchors).
/// </summary>
public sealed partial class LinkTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public void The_readme_is_under_450_lines()
    {
        var lines = File.ReadAllLines(Path.Combine(Root, "README.md")).Length;
        Assert.True(lines < 450, $"README.md has {lines} lines; move reference material into docs/.");
    }

    [Fact]
    public void Docs_exist_and_the_readme_links_to_each_of_them()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var docs = DocFiles().Where(f => f != "README.md").ToList();
        Assert.NotEmpty(docs);
        var linked = Links(readme).Select(l => l.Target.Split('#')[0]).ToHashSet(StringComparer.Ordinal);
        Assert.All(docs, d => Assert.Contains(d, linked));
    }

    public static TheoryData<string> Documents() => [.. DocFiles()];

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_relative_link_points_at_an_existing_file_and_heading(string document)
    {
        var from = Path.Combine(Root, document);
        var broken = new List<string>();
        var links = Links(File.ReadAllText(from)).ToList();
        foreach (var (text, target) in links)
        {
            if (IsExternal(target)) continue;
            var hash = target.IndexOf('#', StringComparison.Ordinal);
            var path = Uri.UnescapeDataString(hash < 0 ? target : target[..hash]);
            var anchor = hash < 0 ? null : target[(hash + 1)..];
            var file = path.Length == 0 ? from : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(from)!, path));
            if (!file.StartsWith(Root, StringComparison.Ordinal)) broken.Add($"[{text}]({target}): outside the checkout");
            else if (!File.Exists(file) && !Directory.Exists(file)) broken.Add($"[{text}]({target}): no such file");
            else if (anchor is not null && !(file.EndsWith(".md", StringComparison.Ordinal) && Anchors(File.ReadAllText(file)).Contains(anchor)))
                broken.Add($"[{text}]({target}): no heading #{anchor} in {Path.GetRelativePath(Root, file)}");
        }
        Assert.True(broken.Count == 0, $"{document}: {string.Join("; ", broken)}");
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_path_of_the_checkout_written_in_code_exists(string document)
    {
        var missing = CheckoutPath().Matches(File.ReadAllText(Path.Combine(Root, document)))
            .Select(m => m.Groups["path"].Value)
            .Where(p => !p.Contains('{', StringComparison.Ordinal) && !p.Contains('*', StringComparison.Ordinal))
            .Where(p => !File.Exists(Path.Combine(Root, p)) && !Directory.Exists(Path.Combine(Root, p)))
            .Distinct(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"{document} names paths that do not exist: {string.Join(", ", missing)}");
    }

    [Theory]
    [InlineData("## Static addresses and routes (client-config-dir)", "static-addresses-and-routes-client-config-dir")]
    [InlineData("## OpenVPN and a two-tier CA", "openvpn-and-a-two-tier-ca")]
    [InlineData("# Operators' circuits under load", "operators-circuits-under-load")]
    [InlineData("## `audit verify` · export", "audit-verify--export")]
    public void Anchors_are_made_the_way_GitHub_makes_them(string heading, string anchor) =>
        Assert.Contains(anchor, Anchors(heading + "\n"));

    [Fact]
    public void Links_in_code_are_not_links_and_external_ones_are_not_checked()
    {
        var links = Links("a [doc](docs/x.md) and `[not](a/link.md)`\n```\n[neither](b.md)\n```\n![img](p.png) [web](https://example.org)\n").ToList();
        Assert.Equal(["docs/x.md", "p.png", "https://example.org"], links.Select(l => l.Target));
        Assert.True(IsExternal("https://example.org"));
    }

    /// <summary>README.md and every Markdown file under docs/, relative to the checkout with '/' separators.</summary>
    private static IEnumerable<string> DocFiles()
    {
        yield return "README.md";
        var docs = Path.Combine(Root, "docs");
        if (!Directory.Exists(docs)) yield break;
        foreach (var f in Directory.EnumerateFiles(docs, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            yield return Path.GetRelativePath(Root, f).Replace('\\', '/');
    }

    [GeneratedRegex(@"!?\[(?<text>[^\]]*)\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    /// <summary>A code span holding a path from the checkout's top level, e.g. <c>`src/AdminPortal.Web/Remote/`</c>.</summary>
    [GeneratedRegex(@"`(?<path>(?:src|tests|migrations|wwwroot|\.ci)/[^`\s]*)`")]
    private static partial Regex CheckoutPath();

    [GeneratedRegex(@"`[^`\n]*`")]
    private static partial Regex CodeSpan();

    /// <summary>Inline links and images outside fenced code blocks and code spans.</summary>
    private static IEnumerable<(string Text, string Target)> Links(string markdown)
    {
        var fenced = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) { fenced = !fenced; continue; }
            if (fenced) continue;
            foreach (Match m in InlineLink().Matches(CodeSpan().Replace(line, "")))
                yield return (m.Groups["text"].Value, m.Groups["target"].Value);
        }
    }

    private static bool IsExternal(string target) =>
        target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase);

    /// <summary>GitHub's heading anchors: lower case, punctuation dropped (hyphens and underscores kept), spaces as hyphens; repeats get -1, -2...</summary>
    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var fenced = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) { fenced = !fenced; continue; }
            if (fenced || !line.StartsWith('#')) continue;
            var text = line.TrimStart('#');
            if (text.Length == line.Length || (text.Length > 0 && text[0] != ' ')) continue;
            var slug = new StringBuilder();
            foreach (var c in text.Trim().ToLowerInvariant())
            {
                if (char.IsLetterOrDigit(c) || c is '-' or '_') slug.Append(c);
                else if (c == ' ') slug.Append('-');
            }
            var s = slug.ToString();
            var n = seen.GetValueOrDefault(s);
            seen[s] = n + 1;
            anchors.Add(n == 0 ? s : $"{s}-{n}");
        }
        return anchors;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AdminPortal.sln"))) return dir.FullName;
        throw new InvalidOperationException("AdminPortal.sln not found above " + AppContext.BaseDirectory);
    }
}
