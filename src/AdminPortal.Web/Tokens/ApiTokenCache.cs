using System.Collections.Concurrent;
using AdminPortal.Web.Security;

namespace AdminPortal.Web.Tokens;

/// <summary>
/// Live API tokens this instance has already looked up, so that a request with a known token costs no query.
/// It is used only while <see cref="ApiTokenInvalidation"/> holds its LISTEN connection (and the shared lock
/// that revokers wait on): every token change on any instance or in the CLI clears it before the change is
/// reported done. Each entry carries the epoch it was read in; an invalidation moves the epoch, so an entry
/// read from the database before a revocation committed is never served after it, even if it is stored late.
/// Unknown or revoked tokens are never cached.
/// </summary>
public sealed class ApiTokenCache : IInstanceCache
{
    public string Channel => ApiTokenInvalidation.Channel;

    public void Changed(string payload) => Invalidate();

    /// <summary>A bound on memory; past it the cache simply starts over.</summary>
    public const int MaxTokens = 10_000;

    public sealed record Entry(ApiTokenInfo Info, long Epoch)
    {
        /// <summary>When this instance last recorded a use of the token (LastUsedAt is written at most once a minute).</summary>
        public DateTimeOffset MarkedUsedAt { get; set; } = Info.LastUsedAt ?? DateTimeOffset.MinValue;
    }

    private readonly ConcurrentDictionary<string, Entry> _tokens = new(StringComparer.Ordinal);
    private long _epoch;
    private volatile bool _live;

    /// <summary>Whether entries may be served: the invalidation listener is connected and holds its lock.</summary>
    public bool Live => _live;

    /// <summary>How many tokens are held (whether or not they may be served).</summary>
    public int Count => _tokens.Count;

    /// <summary>The epoch to pass to <see cref="Add"/> for a lookup that starts now.</summary>
    public long Epoch => Interlocked.Read(ref _epoch);

    public Entry? Find(byte[] hash) =>
        _live && _tokens.TryGetValue(Key(hash), out var e) && e.Epoch == Interlocked.Read(ref _epoch) ? e : null;

    /// <summary>Remembers a live token read from the database in <paramref name="epoch"/>; nothing if an invalidation came since.</summary>
    public void Add(byte[] hash, ApiTokenInfo info, long epoch)
    {
        if (!_live || epoch != Interlocked.Read(ref _epoch)) return;
        if (_tokens.Count >= MaxTokens) _tokens.Clear();
        var key = Key(hash);
        _tokens[key] = new Entry(info, epoch);
        // An invalidation between the check and the store: take it out again (Find refuses it meanwhile).
        if (epoch != Interlocked.Read(ref _epoch)) _tokens.TryRemove(key, out _);
    }

    /// <summary>Forgets every token (a token changed somewhere); the cache stays in use.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _epoch);
        _tokens.Clear();
    }

    /// <summary>The listener is (again) connected and holds its lock: start over with an empty cache.</summary>
    public void Resume()
    {
        Invalidate();
        _live = true;
    }

    /// <summary>The listener lost its connection: nothing is served from memory until it is back.</summary>
    public void Suspend()
    {
        _live = false;
        Invalidate();
    }

    private static string Key(byte[] hash) => Convert.ToBase64String(hash);
}
