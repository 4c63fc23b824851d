using System.Text.Json;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Hosts;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosts.Actions;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Hosts.Runs;

public sealed record RunRequest(string? Action, IReadOnlyList<string>? Hosts, string? Group, Dictionary<string, JsonElement>? Parameters, bool Confirm = false);

public sealed record RunStarted(Guid Id);

public sealed record Forbidden(string Message) : PortalError("Forbidden", Message, StatusCodes.Status403Forbidden);

/// <summary>Starts runs (validated, stored and audited before anything reaches a host), cancels them, reads them back.</summary>
public sealed class RunService(AuditedWork work, ActionCatalog catalog, RunExecutor executor,
    RunMonitor monitor, TimeProvider time)
{
    public async Task<Result<RunStarted>> StartAsync(RunRequest request, AuditActor actor, CancellationToken ct)
    {
        var action = catalog.Find(request.Action);
        if (action is null) return new InvalidInput("action", $"There is no action '{request.Action}'.");
        if (!Permissions.Allows(action.Permission, actor.Role)) return new Forbidden($"'{action.Name}' needs the permission {action.Permission}.");
        var values = new Dictionary<string, string>();
        foreach (var unknown in (request.Parameters?.Keys.ToList() ?? []).Except(action.Parameters.Select(p => p.Name)))
            return new InvalidInput($"parameters.{unknown}", $"'{action.Name}' has no parameter '{unknown}'.");
        foreach (var spec in action.Parameters)
        {
            var v = spec.Validate(request.Parameters?.TryGetValue(spec.Name, out var raw) == true ? raw : null);
            if (!v.Ok) return v.Error!;
            values[spec.Name] = v.Value!;
        }
        if (action.NeedsConfirmation && !request.Confirm)
            return new InvalidInput("confirm", $"'{action.Name}' changes the host: confirm it (\"confirm\": true).");
        if ((request.Hosts is { Count: > 0 }) == (request.Group is not null))
            return new InvalidInput("hosts", "Give either hosts (a list of host names) or group.");
        var id = Guid.NewGuid();

        var planned = await work.RunAsync<Result<List<ManagedHost>>>(async (_, db, c) =>
        {
            var hosts = request.Group is not null
                ? await db.Hosts.Where(h => h.Groups.Contains(request.Group)).OrderBy(h => h.Name).ToListAsync(c)
                : await db.Hosts.Where(h => request.Hosts!.Contains(h.Name)).OrderBy(h => h.Name).ToListAsync(c);
            if (request.Group is not null && hosts.Count == 0) return (new NotFound("Group", request.Group), null);
            if (request.Hosts?.FirstOrDefault(n => hosts.All(h => h.Name != n)) is { } missing) return (new NotFound("Host", missing), null);
            foreach (var h in hosts)
                if (action.CheckHost?.Invoke(values, h) is { } refused) return (refused, null);
            db.ActionRuns.Add(new ActionRun
            {
                Id = id, Action = action.Name, ParametersJson = JsonSerializer.Serialize(Redacted(action, values)),
                TargetGroup = request.Group, RequestedBy = actor.Name, CreatedAt = time.GetUtcNow(), Owner = RunLeases.Instance, HeartbeatAt = time.GetUtcNow(),
                Hosts = hosts.Select(h => new RunHostResult { Id = Guid.NewGuid(), HostName = h.Name }).ToList(),
            });
            return (hosts, new AuditEntry(actor, "action.run.started", $"run:{id}",
                new { action = action.Name, hosts = hosts.Select(h => h.Name), group = request.Group, parameters = Redacted(action, values) }));
        }, ct);
        if (!planned.Ok) return planned.Error!;
        // Only once the run and its event are committed does anything reach a host.
        executor.Start(id, action, values, planned.Value!, actor);
        return new RunStarted(id);
    }

    /// <summary>Content parameters (file bodies) are not repeated in the audit trail or the run record; only their size.</summary>
    private static Dictionary<string, object> Redacted(ActionDefinition action, Dictionary<string, string> values) =>
        action.Parameters.ToDictionary(p => p.Name,
            p => p.Type == ParameterType.Content ? (object)$"[{values[p.Name].Length} characters, not recorded]" : values[p.Name]);

    public Result<bool> Cancel(Guid id, AuditActor actor)
    {
        var live = monitor.Find(id);
        if (live is null) return new Conflict($"Run {id} is not running (it finished, or does not exist).");
        live.Cancel(actor.Name);
        return true;
    }
}
