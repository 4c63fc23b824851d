using System.Reflection;
using System.Text.RegularExpressions;

namespace AdminPortal.UnitTests.Validation;

/// <summary>
/// Every regular expression in the product, found by reflection: each is linear (NonBacktracking) or carries a match
/// timeout, and each anchors with <c>\A</c> and <c>\z</c>, never <c>^</c> or <c>$</c> (<c>$</c> also matches before a
/// final newline): the one rule every validator follows.
/// </summary>
public sealed class RegexInventoryTests
{
    private static readonly Assembly[] Product =
    [
        typeof(AdminPortal.Web.Errors.InputText).Assembly,
        typeof(AdminPortal.Pki.CertificateBuilder).Assembly,
        typeof(AdminPortal.Data.PortalDbContext).Assembly,
    ];

    /// <summary>(where, regex) for every static parameterless method or property and every static field that gives a Regex.</summary>
    public static IReadOnlyList<(string Where, Regex Regex)> All()
    {
        const BindingFlags flags = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var found = new List<(string, Regex)>();
        foreach (var type in Product.SelectMany(a => a.GetTypes()))
        {
            if (type.IsGenericTypeDefinition) continue;
            foreach (var m in type.GetMethods(flags).Where(m => m.GetParameters().Length == 0 && !m.IsGenericMethodDefinition && typeof(Regex).IsAssignableFrom(m.ReturnType)))
                found.Add(($"{type.FullName}.{m.Name}()", (Regex)m.Invoke(null, null)!));
            foreach (var f in type.GetFields(flags).Where(f => typeof(Regex).IsAssignableFrom(f.FieldType)))
                if (f.GetValue(null) is Regex r) found.Add(($"{type.FullName}.{f.Name}", r));
        }
        return found;
    }

    [Fact]
    public void Every_regex_in_the_product_is_linear_or_has_a_timeout()
    {
        var all = All();
        Assert.True(all.Count >= 25, $"found only {all.Count} regexes: the search is broken");
        var unbounded = all.Where(x => !x.Regex.Options.HasFlag(RegexOptions.NonBacktracking) && x.Regex.MatchTimeout == Regex.InfiniteMatchTimeout)
            .Select(x => $"{x.Where}: {x.Regex}").Distinct().ToList();
        Assert.True(unbounded.Count == 0, "Backtracking without a timeout:\n" + string.Join("\n", unbounded));
    }

    [Fact]
    public void Every_regex_in_the_product_anchors_with_A_and_z_not_caret_and_dollar()
    {
        var loose = All().Where(x => UsesCaretOrDollar(x.Regex.ToString())).Select(x => $"{x.Where}: {x.Regex}").Distinct().ToList();
        Assert.True(loose.Count == 0, "Anchored with ^ or $ (use \\A and \\z):\n" + string.Join("\n", loose));
    }

    [Theory]
    [InlineData(@"^a$", true)]
    [InlineData(@"\Aa\z", false)]
    [InlineData(@"\A[^a$]\$\z", false)]
    [InlineData(@"(?=/|$)", true)]
    [InlineData(@"\A[\]^]\z", false)]
    public void The_anchor_rule_reads_patterns_right(string pattern, bool loose) => Assert.Equal(loose, UsesCaretOrDollar(pattern));

    /// <summary>A ^ or $ outside a character class and not escaped.</summary>
    public static bool UsesCaretOrDollar(string pattern)
    {
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var ch = pattern[i];
            if (ch == '\\') { i++; continue; }
            if (inClass) { if (ch == ']' && pattern[i - 1] != '[' && !(pattern[i - 1] == '^' && pattern[i - 2] == '[')) inClass = false; continue; }
            if (ch == '[') inClass = true;
            else if (ch is '^' or '$') return true;
        }
        return false;
    }
}
