using System.Net;
using System.Text.RegularExpressions;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Operators;

namespace AdminPortal.Web.Notifications;

public sealed record RenderedEmail(string Subject, string TextBody, string? HtmlBody);

/// <summary>
/// Replaces <c>{{name}}</c> placeholders: plain values in the subject and the text part, HTML-encoded values in the HTML
/// part. A template may only use its kind's placeholders (checked when an Admin saves it).
/// </summary>
public static partial class TemplateText
{
    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_.-]*)\s*\}\}", InputText.Linear)]
    private static partial Regex Placeholder();

    /// <summary>Anything in double braces: each must be a placeholder of the kind, so template syntax is never sent as if it were text.</summary>
    [GeneratedRegex(@"\{\{.*?\}\}", RegexOptions.Singleline | InputText.Linear)]
    private static partial Regex Braces();

    public static RenderedEmail Render(string subject, string text, string? html, IReadOnlyDictionary<string, string> values) =>
        new(OneLine(Fill(subject, values, encode: false)), Fill(text, values, encode: false).Replace("\r\n", "\n"),
            html is null ? null : Fill(html, values, encode: true));

    private static string Fill(string template, IReadOnlyDictionary<string, string> values, bool encode) =>
        Placeholder().Replace(template, m =>
        {
            var v = values.GetValueOrDefault(m.Groups[1].Value, "");
            return encode ? WebUtility.HtmlEncode(v) : v;
        });

    /// <summary>A subject is one line: a value with a line break cannot add headers.</summary>
    private static string OneLine(string s) => s.Replace('\r', ' ').Replace('\n', ' ');

    /// <summary>Null when every placeholder of every part is one the kind knows.</summary>
    public static PortalError? Check(NotificationKind kind, string? subject, string? text, string? html)
    {
        if (string.IsNullOrWhiteSpace(subject) || subject.Length > 400) return new InvalidInput("subject", "The subject is required (at most 400 characters).");
        if (OperatorInput.HasControl(subject)) return new InvalidInput("subject", "The subject is one line, without control characters.");
        if (string.IsNullOrWhiteSpace(text) || text.Length > 20_000) return new InvalidInput("textBody", "The text body is required (at most 20,000 characters).");
        if (html is { Length: > 40_000 }) return new InvalidInput("htmlBody", "The HTML body is at most 40,000 characters.");
        foreach (var (field, part) in new[] { ("textBody", text), ("htmlBody", html ?? "") })
            if (OperatorInput.HasControl(part.Replace("\r", "").Replace("\n", "").Replace("\t", "")))
                return new InvalidInput(field, $"The {(field == "textBody" ? "text" : "HTML")} body may hold line breaks and tabs but no other control characters.");
        foreach (var (field, part) in new[] { ("subject", subject), ("textBody", text), ("htmlBody", html ?? "") })
            foreach (Match m in Braces().Matches(part))
                if (Placeholder().Match(m.Value) is not { Success: true } known || known.Length != m.Length || !kind.Placeholders.Contains(known.Groups[1].Value))
                    return new InvalidInput(field, $"Unknown placeholder {InputText.Printable(m.Value)}; this template knows {string.Join(", ", kind.Placeholders.Select(p => "{{" + p + "}}"))}.");
        return null;
    }
}
