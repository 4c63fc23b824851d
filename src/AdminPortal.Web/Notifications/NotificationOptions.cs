using System.ComponentModel.DataAnnotations;

namespace AdminPortal.Web.Notifications;

/// <summary>Section <c>Notifications</c>.</summary>
public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    /// <summary>Addresses that get Admin notices in addition to every enabled operator with the Admin role.</summary>
    public string[] AdminAddresses { get; set; } = [];

    /// <summary>How often (once across instances) the expiry notices are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ExpiryCheckPeriod { get; set; } = TimeSpan.FromHours(1);
}
