using System.ComponentModel.DataAnnotations;

namespace AdminPortal.Web.Email;

/// <summary>How the outbox retries (section <c>Email</c>).</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    private static readonly TimeSpan[] DefaultDelays =
    [
        TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10),
        TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(4),
    ];

    /// <summary>Wait after the 1st, 2nd… failed attempt; the last one repeats. Empty: 10 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h.</summary>
    public TimeSpan[] RetryDelays { get; set; } = [];

    /// <summary>Attempts (4xx, refused, timeout) before a message is marked failed.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 10;

    /// <summary>How often senders look for due messages when no notification arrives.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Per SMTP operation (connect, each command).</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a claimed message stays with its sender before another may take it over (a crashed sender).</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan DelayAfter(int attempts)
    {
        var delays = RetryDelays.Length > 0 ? RetryDelays : DefaultDelays;
        return delays[Math.Clamp(attempts - 1, 0, delays.Length - 1)];
    }
}
