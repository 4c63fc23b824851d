using System.Collections.Concurrent;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Security;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Hosts.Ssh;

/// <summary>
/// ControlMaster inside the process: at most one SSH connection per (host, credential, approved host key), shared by
/// every concurrent action, each in its own channel, at most <see cref="HostsOptions.MaxSessionsPerHost"/> at once (the
/// rest wait in a queue). Idle connections close after <see cref="HostsOptions.PersistTime"/>; a broken one is
/// re-opened for the next action. A connection is used only under the key it was opened under: when a host's approved
/// key changes, the connections opened under another key are closed, on this instance at the next action (the target
/// carries the key just read from the database) and on every instance as soon as the approval commits (a notification
/// on <see cref="ChannelName"/>, <see cref="Changed"/>).
/// </summary>
public sealed class SshPool : IAsyncDisposable, IInstanceCache
{
    public const string ChannelName = "host_keys";

    private readonly ConcurrentDictionary<PoolKey, PooledConnection> _connections = new();
    private readonly SshKeys _keys;
    private readonly HostsOptions _options;
    private readonly TimeProvider _time;
    private readonly ITimer _reaper;

    public SshPool(SshKeys keys, IOptions<HostsOptions> options, TimeProvider time)
    {
        _keys = keys;
        _options = options.Value;
        _time = time;
        var every = TimeSpan.FromTicks(Math.Clamp(_options.PersistTime.Ticks / 4, TimeSpan.FromMilliseconds(200).Ticks, TimeSpan.FromSeconds(5).Ticks));
        _reaper = time.CreateTimer(_ => _ = CloseIdleAsync(), null, every, every);
    }

    /// <summary>Waits for a free channel on the target's connection (opening it if needed); dispose the lease to release it.</summary>
    public async Task<Result<SshLease>> AcquireAsync(SshTarget target, CancellationToken ct)
    {
        var key = target.Key;
        await RetireAsync(k => k.Endpoint == key.Endpoint && k.Fingerprint != key.Fingerprint);
        var connection = _connections.GetOrAdd(key, _ => new PooledConnection(_keys, _options, _time));
        return await connection.AcquireAsync(target, ct);
    }

    public IReadOnlyList<PoolState> States() => _connections.Values.Select(c => c.State()).ToList();

    public PoolState? StateOf(string host) => _connections.Values.Select(c => c.State()).FirstOrDefault(s => s.Host == host);

    /// <summary>The payload of a <see cref="ChannelName"/> notification: the host and the fingerprint now approved.</summary>
    public static string Payload(string host, string fingerprint) => $"{host} {fingerprint}";

    /// <summary>
    /// A host's approved key is now <paramref name="fingerprint"/>: its connections opened under any other key leave the
    /// pool and are closed (an action running on one loses it: it was talking to a key that is no longer approved).
    /// </summary>
    public Task KeyApprovedAsync(string host, string fingerprint) =>
        RetireAsync(k => k.Fingerprint != fingerprint, c => c.State().Host == host);

    string IInstanceCache.Channel => ChannelName;

    /// <summary>An approval committed on some instance (this one too): closed in the background, the listener goes on.</summary>
    public void Changed(string payload)
    {
        if (payload.Split(' ', 2) is [var host, var fingerprint]) _ = KeyApprovedAsync(host, fingerprint);
    }

    /// <summary>Nothing kept to clear: every acquire compares the approved key anyway.</summary>
    public void Resume() { }

    public void Suspend() { }

    private async Task RetireAsync(Func<PoolKey, bool> stale, Func<PooledConnection, bool>? also = null)
    {
        foreach (var (key, connection) in _connections)
        {
            if (!stale(key) || also?.Invoke(connection) == false) continue;
            if (!_connections.TryRemove(new KeyValuePair<PoolKey, PooledConnection>(key, connection))) continue;
            await connection.RetireAsync();
        }
    }

    private async Task CloseIdleAsync()
    {
        var cutoff = _time.GetUtcNow() - _options.PersistTime;
        foreach (var c in _connections.Values)
        {
            if (c.IdleSince is { } since && since <= cutoff) await c.CloseAsync(onlyIfIdle: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _reaper.DisposeAsync();
        foreach (var c in _connections.Values) await c.CloseAsync(onlyIfIdle: false);
    }
}
