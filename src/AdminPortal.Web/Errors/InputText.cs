using System.Text;
using System.Text.RegularExpressions;

namespace AdminPortal.Web.Errors;

/// <summary>
/// The product's one rule for checked text. A pattern is anchored with <c>\A</c> and <c>\z</c>, never <c>^</c> and
/// <c>$</c> (.NET's <c>$</c> also matches before a final newline, so <c>^[a-z]+$</c> lets "alice\n" through), and it
/// runs <see cref="Linear"/>: time linear in the input, whatever the pattern. Free text that no pattern limits is
/// checked with <see cref="HasControl"/>. A reflection test holds every regex in the product to this.
/// </summary>
public static class InputText
{
    /// <summary>The options of every regex in the product: no backtracking, so no input can make a match slow.</summary>
    public const RegexOptions Linear = RegexOptions.NonBacktracking;

    /// <summary>A caller's bad value as it may be echoed in an error: shortened, control characters shown as '?'.</summary>
    public static string Printable(string s, int max = 40) => new(s.Take(max).Select(c => char.IsControl(c) ? '?' : c).ToArray());

    /// <summary>Control characters, line/paragraph separators, or a lone surrogate (not storable as UTF-8).</summary>
    public static bool HasControl(string s) =>
        s.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029') || !AdminPortal.Data.Audit.AuditText.IsStorable(s);

    /// <summary>
    /// Printable text as a certificate's common name allows it: letters, marks, digits, punctuation, symbols and the plain
    /// space; no control or format character (bidi overrides, zero-width spaces), no private-use or unassigned code point, no
    /// lone surrogate, no other kind of space, and no space at either end.
    /// </summary>
    public static bool IsPrintable(string s)
    {
        if (s.Length == 0 || s[0] == ' ' || s[^1] == ' ' || !AdminPortal.Data.Audit.AuditText.IsStorable(s)) return false;
        foreach (var rune in s.EnumerateRunes())
        {
            if (rune.Value == ' ') continue;
            switch (Rune.GetUnicodeCategory(rune))
            {
                case System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format
                    or System.Globalization.UnicodeCategory.Surrogate or System.Globalization.UnicodeCategory.PrivateUse
                    or System.Globalization.UnicodeCategory.OtherNotAssigned or System.Globalization.UnicodeCategory.SpaceSeparator
                    or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator:
                    return false;
            }
        }
        return true;
    }
}
