using AdminPortal.Data.Audit;
using AdminPortal.Data.Hosts;
using AdminPortal.Web.Hosts.Actions;
using AdminPortal.Web.Hosts.Ssh;
using AdminPortal.Web.Remote;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.Hosts.Runs;

/// <summary>
/// Runs an action on its hosts in the background (fan-out bounded by <see cref="HostsOptions.FanOutLimit"/>), saves each
/// host's result as it ends, and audits the run's outcome with every host's exit code and output hash. Every write goes through
/// <see cref="RunWrites"/>: none applies once another instance has marked the run interrupted.
/// </summary>
public sealed class RunExecutor(RunWrites writes, RemoteShell shell, HostScriptRunner scripts, FilePush files, HostService hosts,
    RunMonitor monitor, IOptions<HostsOptions> options, TimeProvider time, ILogger<RunExecutor> log, IHostApplicationLifetime lifetime)
{
    public void Start(Guid runId, ActionDefinition action, IReadOnlyDictionary<string, string> values, IReadOnlyList<ManagedHost> targets, AuditActor actor)
    {
        var outputs = targets.ToDictionary(h => h.Name, _ => new OutputCapture(options.Value.MaxStoredOutputBytes, time));
        var live = monitor.Start(runId, outputs);
        _ = Task.Run(async () =>
        {
            try
            {
                await ExecuteAsync(live, action, values, targets, actor);
            }
            catch (Exception e)
            {
                log.RunFailed(e, runId);
            }
            finally
            {
                monitor.End(runId);
            }
        });
    }

    private async Task ExecuteAsync(LiveRun live, ActionDefinition action, IReadOnlyDictionary<string, string> values,
        IReadOnlyList<ManagedHost> targets, AuditActor actor)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(live.Token, lifetime.ApplicationStopping);
        await writes.StartRunAsync(live.Id, CancellationToken.None);
        var results = new System.Collections.Concurrent.ConcurrentBag<(string Host, RemoteOutcome Outcome, OutputCapture Output)>();
        await Parallel.ForEachAsync(targets, new ParallelOptions { MaxDegreeOfParallelism = options.Value.FanOutLimit }, async (host, _) =>
        {
            var output = live.Outputs[host.Name];
            // Once another instance has marked the run interrupted (this one's lease ran out), no host of it is started any more.
            var outcome = new RemoteOutcome(RunStatus.Interrupted, null, RunWrites.NotStarted);
            if (await writes.StartHostAsync(live.Id, host.Name, CancellationToken.None))
            {
                live.SetStatus(host.Name, RunStatus.Running);
                outcome = await RunOnHostAsync(host, action.Build(values, host), output, actor, stopping.Token);
            }
            output.Complete();
            await writes.FinishHostAsync(live.Id, host.Name, outcome.Status, outcome.ExitCode, outcome.Message, output, CancellationToken.None);
            live.SetStatus(host.Name, outcome.Status);
            results.Add((host.Name, outcome, output));
        });

        var all = results.OrderBy(r => r.Host, StringComparer.Ordinal).ToList();
        var status = all.All(r => r.Outcome.Status == RunStatus.Succeeded) ? RunStatus.Succeeded
            : all.Any(r => r.Outcome.Status == RunStatus.Cancelled) ? RunStatus.Cancelled : RunStatus.Failed;
        await writes.FinishAsync(live.Id, status, new AuditEntry(actor, "action.run.finished", $"run:{live.Id}", new
        {
            action = action.Name, status, cancelledBy = live.CancelledBy,
            hosts = all.Select(r => new
            {
                host = r.Host, status = r.Outcome.Status, exitCode = r.Outcome.ExitCode,
                outputSha256 = r.Output.Sha256, outputBytes = r.Output.TotalBytes, truncated = r.Output.Truncated
            }),
        }, status == RunStatus.Succeeded ? AuditOutcome.Success : AuditOutcome.Failure), null, CancellationToken.None);
    }

    private async Task<RemoteOutcome> RunOnHostAsync(ManagedHost host, ActionStep step, OutputCapture output, AuditActor actor, CancellationToken ct)
    {
        if (SshTarget.Of(host) is not { } target)
            return new RemoteOutcome(RunStatus.Refused, null, new HostNotTrusted(host.Name).Detail);
        RemoteOutcome outcome;
        try
        {
            outcome = step switch
            {
                ScriptStep { AsRoot: true } s => await scripts.StreamAsync(target, s.Script, s.Args, s.Stdin, output.Write, ct, s.Timeout),
                ScriptStep s => await scripts.StreamAsLoginUserAsync(target, s.Script, s.Args, s.Stdin, output.Write, ct, s.Timeout),
                CommandStep c => await shell.RunAsync(target, c.Command, output.Write, ct),
                UploadStep u => await files.PushAsync(target, u, output.Write, ct),
                _ => throw new InvalidOperationException($"Unknown step {step.GetType().Name}"),
            };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A fault of ours or of the library must still end this host's result, never leave it running.
            log.ActionFailed(e, host.Name);
            return new RemoteOutcome(RunStatus.Error, null, $"internal error: {e.GetType().Name}");
        }
        if (outcome.Error is HostKeyMismatch mismatch) await hosts.RecordMismatchAsync(host.Name, mismatch, actor, CancellationToken.None);
        else if (outcome.Error is not null) await hosts.NoteContactAsync(host.Name, outcome.Message, CancellationToken.None);
        else await hosts.NoteContactAsync(host.Name, null, CancellationToken.None);
        return outcome;
    }
}

internal static partial class RunExecutorLog
{
    [LoggerMessage(LogLevel.Error, "Run {RunId} failed")]
    public static partial void RunFailed(this ILogger logger, Exception exception, Guid runId);

    [LoggerMessage(LogLevel.Error, "Action on {Host} failed")]
    public static partial void ActionFailed(this ILogger logger, Exception exception, string host);
}
