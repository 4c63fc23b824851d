using System.Collections;
using System.Diagnostics;

namespace AdminPortal.Testing;

/// <summary>
/// The one way a test waits: observe something (an API answer, a row, a log, a file) until a condition holds, with a
/// deadline. The deadline only guards against a hang; it is never the thing a test measures, so it is generous (a
/// machine at a load average of 8 is slow, not broken). On failure the message names what was awaited and the value
/// last observed. Never a fixed sleep: to show that nothing more happens, wait for a later event that must come after.
/// </summary>
public static class Eventually
{
    /// <summary>The deadline when a test gives none.</summary>
    public static readonly TimeSpan DefaultWithin = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(200);

    /// <summary>Observes until <paramref name="until"/> holds for the value; returns that value.</summary>
    /// <exception cref="EventuallyTimeoutException">Not within the deadline; carries the last value seen.</exception>
    public static async Task<T> Async<T>(Func<Task<T>> observe, Func<T, bool> until, string what, TimeSpan? within = null,
        CancellationToken ct = default)
    {
        var limit = within ?? DefaultWithin;
        var clock = Stopwatch.StartNew();
        var pause = FirstPause;
        while (true)
        {
            var value = await observe();
            if (until(value)) return value;
            if (clock.Elapsed > limit) throw new EventuallyTimeoutException(what, limit, Describe(value));
            await Task.Delay(pause, ct);
            pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
        }
    }

    /// <summary>Observes (synchronously: a file, a log, an in-memory state) until <paramref name="until"/> holds; returns the value.</summary>
    public static Task<T> Async<T>(Func<T> observe, Func<T, bool> until, string what, TimeSpan? within = null, CancellationToken ct = default) =>
        Async(() => Task.FromResult(observe()), until, what, within, ct);

    /// <summary>Waits until the condition is true.</summary>
    public static Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null, CancellationToken ct = default) =>
        Async(condition, ok => ok, what, within, ct);

    /// <summary>Waits until the (synchronous) condition is true.</summary>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? within = null, CancellationToken ct = default) =>
        Async(() => Task.FromResult(condition()), ok => ok, what, within, ct);

    private static string Describe(object? value)
    {
        var text = value switch
        {
            null => "null",
            string s => $"\"{s}\"",
            IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(i => i?.ToString())) + "]",
            _ => value.ToString() ?? "",
        };
        return text.Length > 4000 ? text[..4000] + "…" : text;
    }
}

/// <summary>What <see cref="Eventually"/> waited for did not happen within its deadline.</summary>
public sealed class EventuallyTimeoutException(string what, TimeSpan within, string last)
    : TimeoutException($"Not within {within.TotalSeconds:0.#} s: {what}. Last observed: {last}")
{
    public string LastObserved { get; } = last;
}
