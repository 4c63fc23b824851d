using MudBlazor;

namespace AdminPortal.Web.Pki.Pages;

/// <summary>How the PKI pages write dates, remaining time and certificate states.</summary>
public static class PkiText
{
    public static string Date(DateTimeOffset? t) => t is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd") : "—";

    public static string DateTime(DateTimeOffset? t) => t is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm") + " UTC" : "—";

    /// <summary>"in 12 days", "in 5 hours", "3 days ago": coarse on purpose, the exact time is next to it.</summary>
    public static string Relative(DateTimeOffset t, DateTimeOffset now)
    {
        var span = t - now;
        var abs = span.Duration();
        // Rounded: a certificate issued for 5 days reads "in 5 days" a minute later, not "in 4 days".
        var text = abs.TotalDays >= 2 ? $"{Math.Round(abs.TotalDays):N0} days"
            : abs.TotalHours >= 2 ? $"{Math.Round(abs.TotalHours)} hours"
            : abs.TotalMinutes >= 2 ? $"{Math.Round(abs.TotalMinutes)} minutes"
            : "a moment";
        return span >= TimeSpan.Zero ? "in " + text : text + " ago";
    }

    public static Color StatusColor(string status) => status switch
    {
        "active" => Color.Success,
        "expired" => Color.Warning,
        _ => Color.Error,
    };

    /// <summary>The state an operator cares about: an active certificate past its notAfter is expired.</summary>
    public static string Status(CertificateView c) => c.Status == "active" && c.Expired ? "expired" : c.Status;
}
