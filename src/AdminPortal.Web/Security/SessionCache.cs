using System.Collections.Concurrent;

namespace AdminPortal.Web.Security;

/// <summary>
/// Operator sessions this instance has already found live, with the moment each began, so that a request with a
/// known session cookie costs no query. The same rules as <see cref="Tokens.ApiTokenCache"/>: served only while the
/// invalidation listener holds its connection, cleared by every sign-out anywhere before the sign-out is reported
/// done, and an entry read before a sign-out committed is never stored after it (the epoch moved).
/// </summary>
public sealed class SessionCache : IInstanceCache
{
    public const string ChannelName = "operator_sessions";

    /// <summary>A bound on memory; past it the cache simply starts over.</summary>
    public const int MaxSessions = 10_000;

    private sealed record Entry(DateTimeOffset Started, long Epoch);

    private readonly ConcurrentDictionary<string, Entry> _sessions = new(StringComparer.Ordinal);
    private long _epoch;
    private volatile bool _live;

    public string Channel => ChannelName;

    /// <summary>Whether entries may be served: the invalidation listener is connected and holds its lock.</summary>
    public bool Live => _live;

    /// <summary>The epoch to pass to <see cref="Add"/> for a lookup that starts now.</summary>
    public long Epoch => Interlocked.Read(ref _epoch);

    /// <summary>When the session began, if it is known live here.</summary>
    public DateTimeOffset? Find(string key) =>
        _live && _sessions.TryGetValue(key, out var e) && e.Epoch == Interlocked.Read(ref _epoch) ? e.Started : null;

    /// <summary>Remembers a live session read from the database in <paramref name="epoch"/>; nothing if an invalidation came since.</summary>
    public void Add(string key, DateTimeOffset started, long epoch)
    {
        if (!_live || epoch != Interlocked.Read(ref _epoch)) return;
        if (_sessions.Count >= MaxSessions) _sessions.Clear();
        _sessions[key] = new Entry(started, epoch);
        if (epoch != Interlocked.Read(ref _epoch)) _sessions.TryRemove(key, out _);
    }

    public void Changed(string payload) => Invalidate();

    public void Resume()
    {
        Invalidate();
        _live = true;
    }

    public void Suspend()
    {
        _live = false;
        Invalidate();
    }

    private void Invalidate()
    {
        Interlocked.Increment(ref _epoch);
        _sessions.Clear();
    }
}
