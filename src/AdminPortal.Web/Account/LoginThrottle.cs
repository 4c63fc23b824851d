using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Account;

public sealed class LoginThrottleOptions
{
    public const string Section = "Portal:LoginThrottle";

    /// <summary>Failed sign-ins (wrong password or unknown account) one client address may make per window.</summary>
    public int FailuresPerAddress { get; set; } = 30;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>
/// Rate-limits password guessing per client address, across accounts: an account locks itself after a few
/// failures (Identity's lockout), but one address could still try a few passwords on each of many accounts.
/// Past <see cref="LoginThrottleOptions.FailuresPerAddress"/> failures in a window, that address's sign-ins are
/// refused (the form answers 429) until the window ends. A successful sign-in does not reset the count. Kept in
/// memory per portal instance: behind N instances an address gets N times the limit at most.
/// </summary>
public sealed class LoginThrottle(IOptions<LoginThrottleOptions> options, TimeProvider time)
{
    private const int MaxAddresses = 100_000;

    private sealed class Window(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; } = start;
        public int Failures;
    }

    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>Whether the address has used up its failures for the current window.</summary>
    public bool IsLimited(string? address) =>
        _windows.TryGetValue(Key(address), out var w) && time.GetUtcNow() - w.Start < options.Value.Window
        && Volatile.Read(ref w.Failures) >= options.Value.FailuresPerAddress;

    /// <summary>Counts a failed sign-in; true when this one reached the limit (the moment worth an audit event).</summary>
    public bool Failed(string? address)
    {
        var now = time.GetUtcNow();
        if (_windows.Count >= MaxAddresses) Prune(now);
        var w = _windows.AddOrUpdate(Key(address), _ => new Window(now), (_, old) => now - old.Start >= options.Value.Window ? new Window(now) : old);
        return Interlocked.Increment(ref w.Failures) == options.Value.FailuresPerAddress;
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, w) in _windows)
            if (now - w.Start >= options.Value.Window) _windows.TryRemove(key, out _);
        if (_windows.Count >= MaxAddresses) _windows.Clear(); // a flood of addresses: start over rather than grow
    }

    private static string Key(string? address) => address ?? "unknown";
}
