using System.Collections.Concurrent;
using System.Text.Json;
using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Hosts;
using AdminPortal.Data.VpnServers;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosts;
using AdminPortal.Web.Hosts.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.VpnServers;

/// <summary>
/// Publishes a VPN server's files as a run (<c>vpn.publish</c>, on the Runs pages like any other): stage the files,
/// check them with OpenVPN on the host, back up and install, restart, check health; on a failure after the install,
/// put the previous files back and restart again. Started and finished are audited; the run's output says which
/// step failed and carries OpenVPN's own lines. Its writes go through <see cref="RunWrites"/>, as any run's.
/// </summary>
public sealed class VpnPublisher(AuditedWork work, VpnServerService servers, ServerFiles files, PublishSteps steps, RunWrites writes,
    RunMonitor monitor, IOptions<HostsOptions> options, TimeProvider time, ILogger<VpnPublisher> log, IHostApplicationLifetime lifetime)
{
    public const string Action = "vpn.publish";
    public const string RebuildAction = "vpn.rebuild";
    private readonly ConcurrentDictionary<string, bool> _busy = new(StringComparer.Ordinal);
    private const string GenerationQuery = $"""SELECT nextval('{VpnServer.PublishGenerationSequence}') AS "Value" """;

    /// <summary>The next publish generation (a database sequence): publishes and ccd pushes are ordered by it on the hosts.</summary>
    public static Task<long> NextGenerationAsync(PortalDbContext db, CancellationToken ct) => db.Database.SqlQueryRaw<long>(GenerationQuery).SingleAsync(ct);

    /// <param name="install">A rebuild onto a fresh host: install OpenVPN and socat first (run action <c>vpn.rebuild</c>).</param>
    public async Task<Result<RunStarted>> StartAsync(string name, AuditActor actor, CancellationToken ct, bool install = false)
    {
        var server = await servers.LoadAsync(name, ct);
        if (server is null) return new NotFound("VPN server", name);
        if (server.Host!.TrustedFingerprint is null) return new HostNotTrusted(server.Host.Name);
        if (!_busy.TryAdd(name, true)) return new Conflict($"A publish of '{name}' is running already.");
        try
        {
            var id = Guid.NewGuid();
            IReadOnlyList<ServerFile> rendered = [];
            var generation = await work.RunAsync<long>(async (_, db, c) =>
            {
                // Taken with the run, before the files are rendered: a later publish has a higher one, the host refuses an older one
                // than it has installed, and a ccd push that takes a higher one may hold settings this render missed (the install
                // keeps that push's file).
                var generation = await NextGenerationAsync(db, c);
                rendered = await files.RenderAsync(server, c);
                var hashes = rendered.ToDictionary(f => f.Name, f => f.Sha256[..VpnServerDiff.ShaPrefix]);
                db.ActionRuns.Add(new ActionRun
                {
                    Id = id, Action = install ? RebuildAction : Action, ParametersJson = JsonSerializer.Serialize(new { server = name, generation, files = hashes }),
                    RequestedBy = actor.Name, CreatedAt = time.GetUtcNow(), Owner = RunLeases.Instance, HeartbeatAt = time.GetUtcNow(), Hosts = [new RunHostResult { Id = Guid.NewGuid(), HostName = server.Host.Name }],
                });
                return (generation, (AuditEntry?)new AuditEntry(actor, "vpn.server.publish.started", $"vpn-server:{name}",
                    new { runId = id, host = server.Host.Name, configDir = server.ConfigDir, rebuild = install, generation, files = hashes }));
            }, ct);
            Start(id, generation, server, rendered, install, actor);
            return new RunStarted(id);
        }
        catch
        {
            _busy.TryRemove(name, out _);
            throw;
        }
    }

    /// <summary>Points the server at a fresh host (<see cref="VpnServerService.MoveAsync"/>), then starts a <c>vpn.rebuild</c> run there.</summary>
    public async Task<Result<RunStarted>> RebuildAsync(string name, RebuildRequest request, AuditActor actor, CancellationToken ct)
    {
        var moved = await servers.MoveAsync(name, request, actor, ct);
        return moved.Ok ? await StartAsync(name, actor, ct, install: true) : moved.Error!;
    }

    private void Start(Guid id, long generation, VpnServer server, IReadOnlyList<ServerFile> rendered, bool install, AuditActor actor)
    {
        var output = new OutputCapture(options.Value.MaxStoredOutputBytes, time);
        var live = monitor.Start(id, new Dictionary<string, OutputCapture> { [server.Host!.Name] = output });
        _ = Task.Run(async () =>
        {
            try
            {
                await ExecuteAsync(live, generation, server, rendered, output, install, actor);
            }
            catch (Exception e)
            {
                log.PublishFailed(e, id);
            }
            finally
            {
                monitor.End(id);
                _busy.TryRemove(server.Name, out _);
            }
        });
    }

    private async Task ExecuteAsync(LiveRun live, long generation, VpnServer server, IReadOnlyList<ServerFile> rendered, OutputCapture output, bool install,
        AuditActor actor)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(live.Token, lifetime.ApplicationStopping);
        var host = server.Host!.Name;
        await writes.StartRunAsync(live.Id, CancellationToken.None);
        // As for any run: once another instance has marked it interrupted (this one's lease ran out), nothing of it reaches the host.
        var result = new PublishResult(RunStatus.Interrupted, null, false, RunWrites.NotStarted);
        if (await writes.StartHostAsync(live.Id, host, CancellationToken.None))
        {
            live.SetStatus(host, RunStatus.Running);
            result = await steps.RunAsync(server, rendered, output, install, new PublishFence(generation, c => writes.StillOursAsync(live.Id, c)), stopping.Token);
        }
        output.Complete();
        await writes.FinishHostAsync(live.Id, host, result.Status, result.Status == RunStatus.Succeeded ? 0 : 1, result.Message, output, CancellationToken.None);
        live.SetStatus(host, result.Status);
        await writes.FinishAsync(live.Id, result.Status, new AuditEntry(actor, "vpn.server.publish.finished", $"vpn-server:{server.Name}", new
        {
            runId = live.Id, generation, status = result.Status, failedStep = result.FailedStep, rolledBack = result.RolledBack, superseded = result.Superseded,
            message = result.Message,
            outputSha256 = output.Sha256, cancelledBy = live.CancelledBy,
        }, result.Status == RunStatus.Succeeded ? AuditOutcome.Success : AuditOutcome.Failure),
            // The server's last publish is only a run that ended here as succeeded (not one left interrupted).
            result.Status != RunStatus.Succeeded ? null : async (db, finishedAt, c) =>
            {
                var row = await db.VpnServers.FirstAsync(s => s.Id == server.Id, c);
                (row.LastPublishedAt, row.LastPublishRunId) = (finishedAt, live.Id);
            }, CancellationToken.None);
    }
}

/// <summary>
/// How a publish ended: the run status, the step that failed, whether the previous files were put back, and whether the host
/// refused it because a newer publish was installed there (<see cref="HostRecords.Supersedes"/>).
/// </summary>
public sealed record PublishResult(string Status, string? FailedStep, bool RolledBack, string? Message, bool Superseded = false);

internal static partial class VpnPublisherLog
{
    [LoggerMessage(LogLevel.Error, "Publish run {RunId} failed")]
    public static partial void PublishFailed(this ILogger logger, Exception exception, Guid runId);
}
