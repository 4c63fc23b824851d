using System.Text;

namespace AdminPortal.Web.VpnServers;

/// <summary>A unified diff (as <c>diff -u</c> prints it, 3 lines of context) of two small texts; line-based LCS.</summary>
public static class UnifiedDiff
{
    /// <summary>Texts longer than this many lines are compared only as changed/unchanged.</summary>
    public const int MaxLines = 4000;

    public static string Of(string oldText, string newText, string oldName, string newName, int context = 3)
    {
        var a = Lines(oldText);
        var b = Lines(newText);
        if (a.Length > MaxLines || b.Length > MaxLines) return $"--- {oldName}\n+++ {newName}\n(too long to compare line by line)\n";
        var ops = Edits(a, b);
        if (ops.All(o => o.Kind == ' ')) return "";
        var sb = new StringBuilder($"--- {oldName}\n+++ {newName}\n");
        var changes = Enumerable.Range(0, ops.Count).Where(k => ops[k].Kind != ' ').ToList();
        var first = 0;
        for (var k = 1; k <= changes.Count; k++)
        {
            if (k < changes.Count && changes[k] - changes[k - 1] - 1 <= 2 * context) continue;
            var from = Math.Max(0, changes[first] - context);
            var to = Math.Min(ops.Count, changes[k - 1] + 1 + context);
            var hunk = ops.GetRange(from, to - from);
            int oldBefore = ops.Take(from).Count(o => o.Kind != '+'), newBefore = ops.Take(from).Count(o => o.Kind != '-');
            int oldCount = hunk.Count(o => o.Kind != '+'), newCount = hunk.Count(o => o.Kind != '-');
            sb.Append($"@@ -{oldBefore + (oldCount > 0 ? 1 : 0)},{oldCount} +{newBefore + (newCount > 0 ? 1 : 0)},{newCount} @@\n");
            foreach (var o in hunk) sb.Append(o.Kind).Append(o.Text).Append('\n');
            first = k;
        }
        return sb.ToString();
    }

    private readonly record struct Edit(char Kind, string Text);

    private static string[] Lines(string text) =>
        text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');

    private static List<Edit> Edits(string[] a, string[] b)
    {
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var x = a.Length - 1; x >= 0; x--)
            for (var y = b.Length - 1; y >= 0; y--)
                lcs[x, y] = a[x] == b[y] ? lcs[x + 1, y + 1] + 1 : Math.Max(lcs[x + 1, y], lcs[x, y + 1]);
        var ops = new List<Edit>();
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            if (i < a.Length && j < b.Length && a[i] == b[j]) { ops.Add(new(' ', a[i])); i++; j++; }
            else if (j < b.Length && (i == a.Length || lcs[i, j + 1] >= lcs[i + 1, j])) { ops.Add(new('+', b[j])); j++; }
            else { ops.Add(new('-', a[i])); i++; }
        }
        return ops;
    }
}
