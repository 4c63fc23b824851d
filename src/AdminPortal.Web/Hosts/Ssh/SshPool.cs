using System.Collections.Concurrent;
using AdminPortal.Web.Errors;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Hosts.Ssh;

/// <summary>
/// ControlMaster inside the process: at most one SSH connection per (host, credential), shared by every concurrent
/// action, each in its own channel, at most <see cref="HostsOptions.MaxSessionsPerHost"/> at once (the rest wait in
/// a queue). Idle connections close after <see cref="HostsOptions.PersistTime"/>; a broken one is re-opened for the
/// next action.
/// </summary>
public sealed class SshPool : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string, int, string, Guid), PooledConnection> _connections = new();
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
        var connection = _connections.GetOrAdd(target.Key, _ => new PooledConnection(_keys, _options, _time));
        return await connection.AcquireAsync(target, ct);
    }

    public IReadOnlyList<PoolState> States() => _connections.Values.Select(c => c.State()).ToList();

    public PoolState? StateOf(string host) => _connections.Values.Select(c => c.State()).FirstOrDefault(s => s.Host == host);

    /// <summary>Closes the connections to a host (its trusted key changed): the next action connects anew.</summary>
    public async Task ForgetAsync(string host)
    {
        foreach (var c in _connections.Values.Where(c => c.State().Host == host)) await c.CloseAsync(onlyIfIdle: false);
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
