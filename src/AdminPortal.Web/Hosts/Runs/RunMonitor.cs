using System.Collections.Concurrent;

namespace AdminPortal.Web.Hosts.Runs;

/// <summary>A run in progress: its per-host captures (for live views) and the switch that cancels it.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A CancellationTokenSource without a timer or linked token holds nothing to release; disposing it when the run ends would race with a Cancel from a page still showing the run.")]
public sealed class LiveRun(Guid id, IReadOnlyDictionary<string, OutputCapture> outputs)
{
    private readonly CancellationTokenSource _cancel = new();
    public Guid Id { get; } = id;
    public IReadOnlyDictionary<string, OutputCapture> Outputs { get; } = outputs;
    public ConcurrentDictionary<string, string> Statuses { get; } = new();
    public CancellationToken Token => _cancel.Token;
    public string? CancelledBy { get; private set; }

    /// <summary>Raised when a host's status changes or the run ends.</summary>
    public event Action? Changed;

    public void Cancel(string by)
    {
        CancelledBy ??= by;
        _cancel.Cancel();
    }

    public void SetStatus(string host, string status)
    {
        Statuses[host] = status;
        Changed?.Invoke();
    }

    internal void Finished()
    {
        Changed?.Invoke();
    }
}

/// <summary>The runs executing in this process (one process runs a run from start to end).</summary>
public sealed class RunMonitor
{
    private readonly ConcurrentDictionary<Guid, LiveRun> _runs = new();

    public LiveRun Start(Guid id, IReadOnlyDictionary<string, OutputCapture> outputs) => _runs[id] = new LiveRun(id, outputs);

    public LiveRun? Find(Guid id) => _runs.GetValueOrDefault(id);

    public IReadOnlyList<Guid> LiveIds => [.. _runs.Keys];

    public void End(Guid id)
    {
        if (_runs.TryRemove(id, out var run)) run.Finished();
    }
}
