using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Bundles;

/// <summary>
/// Slows token guessing: each client address may present a limited number of unknown link tokens per window,
/// then gets 429 until the window ends. Bounded memory: stale windows are dropped as the table grows.
/// </summary>
public sealed class LinkGuard(IOptions<BundleOptions> options, TimeProvider time)
{
    private const int MaxTracked = 50_000;
    private readonly ConcurrentDictionary<string, Window> _windows = new();

    private sealed record Window(DateTimeOffset Start, int Failures);

    /// <summary>Seconds until the address may try again, or null when it may try now.</summary>
    public int? RetryAfter(string address)
    {
        if (!_windows.TryGetValue(address, out var w)) return null;
        var end = w.Start.AddSeconds(options.Value.InvalidTokenWindowSeconds);
        var now = time.GetUtcNow();
        if (now >= end || w.Failures < options.Value.InvalidTokenLimit) return null;
        return Math.Max(1, (int)Math.Ceiling((end - now).TotalSeconds));
    }

    public void Failed(string address)
    {
        var now = time.GetUtcNow();
        var window = TimeSpan.FromSeconds(options.Value.InvalidTokenWindowSeconds);
        if (_windows.Count >= MaxTracked)
            foreach (var (key, w) in _windows)
                if (now - w.Start >= window) _windows.TryRemove(key, out _);
        _windows.AddOrUpdate(address, _ => new Window(now, 1), (_, w) => now - w.Start >= window ? new Window(now, 1) : w with { Failures = w.Failures + 1 });
    }
}
