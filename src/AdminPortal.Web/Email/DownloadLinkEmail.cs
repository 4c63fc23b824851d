using System.Globalization;

namespace AdminPortal.Web.Email;

/// <summary>
/// The message that sends a user the one-time link to their VPN profile. The link is the only sensitive thing
/// in it: never a key, a certificate or any other token.
/// </summary>
public static class DownloadLinkEmail
{
    public const string Kind = "download-link";

    /// <summary>
    /// The draft for <paramref name="userEmail"/>; the caller checks the user has a valid address
    /// (<see cref="EmailOutbox.CheckAddress"/>): a missing one throws.
    /// </summary>
    public static EmailDraft Create(string userName, string? userEmail, string profileName, string platform, string url,
        DateTimeOffset expiresAt, string? helpdeskContact, string? certificateSerial = null)
    {
        if (EmailOutbox.CheckAddress(userEmail) is { } bad) throw new ArgumentException(bad.Detail, nameof(userEmail));
        var expires = expiresAt.ToUniversalTime().ToString("dddd d MMMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);
        var help = string.IsNullOrWhiteSpace(helpdeskContact)
            ? "If you did not expect this email or the link does not work, contact your IT helpdesk."
            : $"If you did not expect this email or the link does not work, contact {helpdeskContact.Trim()}.";
        var text = $"""
            Hello {userName},

            Your VPN profile "{profileName}" for {platform} is ready. Download it here:

            {url}

            The link works once and expires on {expires}. After you have downloaded the profile, open it with
            your VPN app to connect. Do not forward this email: anyone with the link can download your profile.

            {help}
            """;
        return new EmailDraft(userEmail!, $"Your VPN profile for {platform}", text.Replace("\r\n", "\n"), Kind,
            $"vpn-user:{userName}", certificateSerial);
    }
}
