using AdminPortal.Web.Errors;
using AdminPortal.Web.Operators;

namespace AdminPortal.Web.Email;

public static class SmtpSecurity
{
    public const string None = "none";
    public const string StartTls = "starttls";
    public const string Tls = "tls";
    public static readonly string[] All = [None, StartTls, Tls];
}

/// <summary>Validation of the SMTP settings form; each failure names its field.</summary>
public static class SmtpInput
{
    public static PortalError? Check(SmtpSettingsInput i)
    {
        if (string.IsNullOrWhiteSpace(i.Host)) return new InvalidInput("host", "The SMTP host is required.");
        // Uri.CheckHostName takes a line or paragraph separator inside an internationalised name: refused here first.
        if (i.Host.Length > 253 || OperatorInput.HasControl(i.Host) || Uri.CheckHostName(i.Host.Trim()) == UriHostNameType.Unknown)
            return new InvalidInput("host", "The SMTP host must be a host name or an IP address.");
        if (i.Port is not (>= 1 and <= 65535)) return new InvalidInput("port", "The port must be between 1 and 65535.");
        if (i.Security is null || !SmtpSecurity.All.Contains(i.Security))
            return new InvalidInput("security", "Security must be none, starttls or tls.");
        if (i.UserName is { } user && (user.Length > 256 || OperatorInput.HasControl(user)))
            return new InvalidInput("userName", "The user name must be at most 256 characters without control characters.");
        if (i.Password is { } password && (password.Length > 256 || OperatorInput.HasControl(password)))
            return new InvalidInput("password", "The password must be at most 256 characters without control characters.");
        if (EmailOutbox.CheckAddress(i.FromAddress, "fromAddress") is { } from) return from;
        if (i.HelpdeskContact is { } help && (help.Length > 500 || OperatorInput.HasControl(help)))
            return new InvalidInput("helpdeskContact", "The helpdesk contact must be one line of at most 500 characters.");
        return null;
    }
}
