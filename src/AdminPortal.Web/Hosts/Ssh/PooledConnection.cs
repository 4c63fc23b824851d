using AdminPortal.Web.Errors;
using Renci.SshNet;

namespace AdminPortal.Web.Hosts.Ssh;

/// <summary>One pooled connection: a channel semaphore with a queue, and the SshClient, opened lazily and re-opened when broken.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "It lives as long as the pool, and CloseAsync disposes its SSH client; the semaphores never create a wait handle (no AvailableWaitHandle), so they hold nothing to release.")]
internal sealed class PooledConnection(SshKeys keys, HostsOptions options, TimeProvider time)
{
    private readonly SemaphoreSlim _slots = new(options.MaxSessionsPerHost, options.MaxSessionsPerHost);
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private SshClient? _client;
    private volatile bool _broken;
    private volatile bool _retired;
    private int _inUse;
    private int _queued;
    private int _connects;
    private string _host = "";
    private DateTimeOffset? _lastUsed;

    public DateTimeOffset? IdleSince => _client is not null && Volatile.Read(ref _inUse) == 0 && Volatile.Read(ref _queued) == 0 ? _lastUsed : null;

    public PoolState State() => new(_host, _client?.IsConnected == true && !_broken, Volatile.Read(ref _inUse), Volatile.Read(ref _queued),
        options.MaxSessionsPerHost, Volatile.Read(ref _connects), _lastUsed);

    public async Task<Result<SshLease>> AcquireAsync(SshTarget target, CancellationToken ct)
    {
        _host = target.Host;
        Interlocked.Increment(ref _queued);
        try
        {
            await _slots.WaitAsync(ct);
        }
        finally
        {
            Interlocked.Decrement(ref _queued);
        }
        Interlocked.Increment(ref _inUse); // before the connect lock, so the idle reaper never closes a connection about to be used
        var lease = new SshLease(this, target);
        var connected = await ConnectedClientAsync(target, ct);
        if (!connected.Ok)
        {
            lease.Dispose();
            return connected.Error!;
        }
        return lease;
    }

    /// <summary>The open client, or a new one when there is none or the old one broke.</summary>
    internal async Task<Result<SshClient>> ConnectedClientAsync(SshTarget target, CancellationToken ct)
    {
        await _connectLock.WaitAsync(ct);
        try
        {
            // Out of the pool (the host's approved key changed): an action that got here just before never connects anew.
            if (_retired) return new SshFailure(target.Host, "the host's approved key changed while the action waited for the connection; run it again");
            if (_client is { IsConnected: true } open && !_broken) return open;
            DisposeClient();
            var key = await keys.LoadAsync(target.CredentialId, ct);
            var info = target.ConnectionInfo(key, options.ConnectTimeout);
            info.MaxSessions = options.MaxSessionsPerHost;
            var client = new SshClient(info) { KeepAliveInterval = options.KeepAliveInterval };
            var seen = HostKeyCheck.Attach(client, target.TrustedFingerprint);
            client.ErrorOccurred += (_, _) => _broken = true;
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(options.ConnectTimeout);
            try
            {
                await client.ConnectAsync(cts.Token);
            }
            catch (Exception e) when (HostKeyCheck.IsConnectFault(e))
            {
                client.Dispose();
                if (seen() is { } presented && presented.Fingerprint != target.TrustedFingerprint)
                    return new HostKeyMismatch(target.Host, target.TrustedFingerprint, presented.Fingerprint);
                if (ct.IsCancellationRequested) throw;
                return new SshFailure(target.Host, HostKeyCheck.Describe(e, options.ConnectTimeout));
            }
            _client = client;
            _broken = false;
            Interlocked.Increment(ref _connects);
            return client;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <summary>Marks the connection broken (a channel could not be opened on it): the next caller reconnects.</summary>
    internal void Invalidate() => _broken = true;

    internal void Release()
    {
        _lastUsed = time.GetUtcNow();
        Interlocked.Decrement(ref _inUse);
        _slots.Release();
    }

    /// <summary>Closes the connection for good (it was opened under a host key that is no longer approved).</summary>
    public Task RetireAsync()
    {
        _retired = true;
        return CloseAsync(onlyIfIdle: false);
    }

    public async Task CloseAsync(bool onlyIfIdle)
    {
        await _connectLock.WaitAsync();
        try
        {
            if (onlyIfIdle && (Volatile.Read(ref _inUse) > 0 || Volatile.Read(ref _queued) > 0)) return;
            DisposeClient();
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private void DisposeClient()
    {
        var old = _client;
        _client = null;
        if (old is null) return;
        try
        {
            if (old.IsConnected) old.Disconnect();
        }
        catch (Exception e) when (HostKeyCheck.IsConnectFault(e)) { }
        old.Dispose();
    }
}

/// <summary>A channel slot on a pooled connection; <see cref="ClientAsync"/> gives the live client (reconnecting if it broke).</summary>
public sealed class SshLease : IDisposable
{
    private readonly PooledConnection _connection;
    private int _released;

    internal SshLease(PooledConnection connection, SshTarget target)
    {
        _connection = connection;
        Target = target;
    }

    public SshTarget Target { get; }

    public Task<Result<SshClient>> ClientAsync(CancellationToken ct) => _connection.ConnectedClientAsync(Target, ct);

    /// <summary>The connection failed before the action started: the next <see cref="ClientAsync"/> opens a new one.</summary>
    public void Invalidate() => _connection.Invalidate();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) _connection.Release();
    }
}
