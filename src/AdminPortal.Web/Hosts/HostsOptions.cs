using System.ComponentModel.DataAnnotations;

namespace AdminPortal.Web.Hosts;

public sealed class HostsOptions
{
    public const string Section = "Hosts";

    /// <summary>Channels at once on one host's connection (OpenSSH's MaxSessions default is 10); more wait in a queue.</summary>
    [Range(1, 64)] public int MaxSessionsPerHost { get; set; } = 10;

    /// <summary>How long an idle connection is kept open (ControlPersist).</summary>
    public TimeSpan PersistTime { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Hosts a fanned-out run works on at once.</summary>
    [Range(1, 256)] public int FanOutLimit { get; set; } = 16;

    /// <summary>
    /// A run whose instance has not renewed its lease for this long (killed, crashed, cut off from the database) is marked
    /// interrupted by any instance; live instances renew every quarter of it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")] public TimeSpan RunLeaseTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Output kept per host in the database; the rest is counted and hashed.</summary>
    [Range(1024, 64 * 1024 * 1024)] public int MaxStoredOutputBytes { get; set; } = 1024 * 1024;
}
