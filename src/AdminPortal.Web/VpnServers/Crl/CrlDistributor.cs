using System.Diagnostics;
using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.VpnServers;
using AdminPortal.Web.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AdminPortal.Web.VpnServers.Crl;

/// <summary>One server's part of a distribution: the state recorded, what went wrong, whether it was sent SIGHUP, the sessions ended.</summary>
/// <param name="Unchanged">Set when the host already had this CRL or a newer one and kept it ("already has CRL number N").</param>
public sealed record CrlPushResult(string Server, string State, string? Problem, string? CrlNumbers, bool Signalled, IReadOnlyList<long> KilledClients,
    long Milliseconds, string? Unchanged = null);

/// <summary>
/// Puts the current CRL file on every VPN server at once (ConfigDir/crl.pem, under the publishes' lock and only over an older CRL:
/// <see cref="RemoteFiles.PushCrlAsync"/>), no restart:
/// OpenVPN re-reads it at the next handshake. With a two-tier CA the server is then sent SIGHUP through its management
/// interface, because OpenVPN 2.6's re-read keeps a stale CRL of the intermediate (docs/pki.md, "OpenVPN and a two-tier CA").
/// Each revoked user's live sessions are ended with <c>client-kill ID HALT</c> while the file is written. A failing server is recorded and
/// audited as push-failed and does not hold up the others; the monitor pushes to it again.
/// </summary>
public sealed class CrlDistributor(IDbContextFactory<PortalDbContext> dbs, RemoteFiles files, VpnManagement management, CrlStatusRecorder recorder,
    AuditedWork work, IOptions<VpnCrlOptions> options, TimeProvider time, ILogger<CrlDistributor> logger)
{
    public static string CrlPath(VpnServer server) => server.ConfigDir.TrimEnd('/') + "/crl.pem";

    /// <param name="serverName">Only this server (Push CRL now); null for every server.</param>
    public async Task<IReadOnlyList<CrlPushResult>> DistributeAsync(string cause, IReadOnlyCollection<string> revokedUsers, string? serverName,
        AuditActor actor, CancellationToken ct)
    {
        var current = await CurrentCrl.LoadAsync(dbs, ct);
        if (current is null) return [];
        List<VpnServer> servers;
        await using (var db = await dbs.CreateDbContextAsync(ct))
            servers = await db.VpnServers.AsNoTracking().Include(s => s.Host)
                .Where(s => serverName == null || s.Name == serverName).OrderBy(s => s.Name).ToListAsync(ct);
        return await Task.WhenAll(servers.Select(s => Task.Run(() => PushAsync(s, current, cause, revokedUsers, actor, ct), CancellationToken.None)));
    }

    private async Task<CrlPushResult> PushAsync(VpnServer server, CurrentCrl current, string cause, IReadOnlyCollection<string> revokedUsers,
        AuditActor actor, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        string? problem;
        var signalled = false;
        IReadOnlyList<long> killed = [];
        string? unchanged = null;
        try
        {
            // The file and the sessions at once (two channels of the host's connection): HALT tells the client to exit, so it
            // does not come back before the new CRL is in force. Both before a SIGHUP, which drops every client and restarts
            // the management interface.
            var write = WriteAsync(server, current, ct);
            var end = revokedUsers.Count > 0 ? EndSessionsAsync(server, revokedUsers, cause, ct) : Task.FromResult<IReadOnlyList<long>>([]);
            await Task.WhenAll(write, end);
            ((problem, unchanged), killed) = (write.Result, end.Result);
            if (problem is null && current.TwoTier)
            {
                var hup = await management.SignalAsync(server, "SIGHUP", ct);
                signalled = hup.Ok;
                if (!hup.Ok) problem = $"crl.pem was written but SIGHUP failed (a two-tier CA needs it): {hup.Error!.Detail}";
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.PushFailed(e, server.Name);
            problem = $"internal error: {e.GetType().Name}";
        }
        var verdict = problem is null
            ? CrlFreshness.Judge(current.Pem, null, current.Facts, time.GetUtcNow(), options.Value.CrlAlertThreshold)
            : new CrlVerdict(CrlState.PushFailed, problem, null, null);
        await recorder.RecordPushAsync(server.Id, verdict, new { cause, signalled, unchanged, milliseconds = watch.ElapsedMilliseconds }, actor, CancellationToken.None);
        return new CrlPushResult(server.Name, verdict.State, verdict.Problem, verdict.DeployedNumbers, signalled, killed, watch.ElapsedMilliseconds, unchanged);
    }

    /// <summary>
    /// Writes crl.pem under the publishes' lock (<see cref="RemoteFiles.PushCrlAsync"/>): a host that already has this CRL or a newer
    /// one keeps it, and the push succeeds with <c>Unchanged</c> saying so (the revocations are in force there).
    /// </summary>
    private async Task<(string? Problem, string? Unchanged)> WriteAsync(VpnServer server, CurrentCrl current, CancellationToken ct)
    {
        if (VpnManagement.Target(server.Host!) is not { } target) return ($"host {server.Host!.Name} is not trusted: approve its key first", null);
        var written = await files.PushCrlAsync(target, server.ConfigDir, CrlStamp.Of(current.Facts), current.Pem, ct);
        if (!written.Ok) return ($"writing {CrlPath(server)} failed: {written.Problem}", null);
        var unchanged = written.Output.Split('\n', StringSplitOptions.TrimEntries)
            .FirstOrDefault(l => l.StartsWith(PublishScripts.CrlAlreadyInstalled, StringComparison.Ordinal));
        return (null, unchanged);
    }

    /// <summary>client-kill ID HALT for every session of the users (status 3 names them by CN); audited per server when there was one.</summary>
    private async Task<IReadOnlyList<long>> EndSessionsAsync(VpnServer server, IReadOnlyCollection<string> users, string cause, CancellationToken ct)
    {
        var killed = new List<long>();
        var failures = new List<string>();
        var status = await management.StatusAsync(server, ct);
        if (!status.Ok) failures.Add(status.Error!.Detail);
        foreach (var client in status.Value?.Where(c => users.Contains(c.CommonName)) ?? [])
        {
            var kill = await management.KillAsync(server, client.ClientId, ct);
            if (kill.Ok) killed.Add(client.ClientId);
            else failures.Add($"client {client.ClientId} ({client.CommonName}): {kill.Error!.Detail}");
        }
        if (killed.Count > 0 || failures.Count > 0)
            await work.RecordAsync(new AuditEntry(AuditActor.System, "vpn.server.sessions.killed", $"vpn-server:{server.Name}",
                new { users, clientIds = killed, failures, cause }, failures.Count == 0 ? AuditOutcome.Success : AuditOutcome.Failure), CancellationToken.None);
        return killed;
    }
}

internal static partial class CrlDistributorLog
{
    [LoggerMessage(LogLevel.Error, "Pushing the CRL to VPN server {Server} failed")]
    public static partial void PushFailed(this ILogger logger, Exception exception, string server);
}
