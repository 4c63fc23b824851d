using System.Net.Mail;
using AdminPortal.Web.Errors;

namespace AdminPortal.Web.Operators;

/// <summary>Validation of what people type about operators; each failure names its field.</summary>
public static class OperatorInput
{
    public static PortalError? Email(string? email)
    {
        if (string.IsNullOrWhiteSpace(email)) return new InvalidInput("email", "An email address is required.");
        if (email.Length > 254) return new InvalidInput("email", "The email address is longer than 254 characters.");
        if (HasControl(email) || !MailAddress.TryCreate(email, out var parsed) || parsed.Address != email || parsed.DisplayName != "")
            return new InvalidInput("email", $"'{InputText.Printable(email, 80)}' is not an email address.");
        return null;
    }

    public static PortalError? DisplayName(string? name)
    {
        if (name is null) return null;
        if (name.Length > 100) return new InvalidInput("displayName", "The display name is longer than 100 characters.");
        if (HasControl(name)) return new InvalidInput("displayName", "The display name contains control characters.");
        return null;
    }

    /// <summary>Control characters, line/paragraph separators, or a lone surrogate (not storable as UTF-8).</summary>
    public static bool HasControl(string s) => InputText.HasControl(s);

}
