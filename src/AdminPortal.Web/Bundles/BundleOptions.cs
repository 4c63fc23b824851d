using System.ComponentModel.DataAnnotations;

namespace AdminPortal.Web.Bundles;

/// <summary>The <c>Bundles</c> configuration section.</summary>
public sealed class BundleOptions
{
    public const string Section = "Bundles";

    /// <summary>How long a one-time link lives when the operator does not say.</summary>
    [Range(1, 720)] public int LinkLifetimeHours { get; set; } = 24;
    [Range(1, 720)] public int MaxLinkLifetimeHours { get; set; } = 168;
    /// <summary>Whom the end user calls, printed in every bundle's README and link email.</summary>
    [MaxLength(200)] public string HelpdeskContact { get; set; } = "your IT helpdesk";
    /// <summary>Invalid link tokens one client address may try per window before getting 429.</summary>
    [Range(1, 10_000)] public int InvalidTokenLimit { get; set; } = 10;
    [Range(1, 86_400)] public int InvalidTokenWindowSeconds { get; set; } = 300;
}
