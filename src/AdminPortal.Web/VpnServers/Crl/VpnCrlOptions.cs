using System.ComponentModel.DataAnnotations;

namespace AdminPortal.Web.VpnServers.Crl;

/// <summary>The CRL distribution and freshness monitor, in the <c>VpnServers</c> configuration section.</summary>
public sealed class VpnCrlOptions
{
    public const string Section = "VpnServers";

    /// <summary>How often the monitor reads every server's deployed CRL (once per period across instances).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")] public TimeSpan CrlMonitorPeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A deployed CRL whose nextUpdate is this close raises the "expiring" alert (and a CRL refresh).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")] public TimeSpan CrlAlertThreshold { get; set; } = TimeSpan.FromDays(7);
}
