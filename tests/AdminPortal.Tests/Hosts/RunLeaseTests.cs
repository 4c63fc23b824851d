using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Tests.Audit;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Tests.Security;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Hosts;
using AdminPortal.Web.Hosts.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AdminPortal.Tests.Hosts;

/// <summary>
/// A run this portal (instance A) executes, marked interrupted by another instance's sweep (B) while A is still on the host,
/// then finished by A: the run stays interrupted (run and hosts), A's late outcome is on the audit trail after the
/// interrupted event, and the chain verifies. Hosts run one at a time, so a run on two hosts has one still queued.
/// </summary>
public sealed class RunLeaseTests(RunLeaseTests.Lab lab) : IClassFixture<RunLeaseTests.Lab>, IAsyncLifetime
{
    public sealed class Lab : SshLab
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings() => [.. base.Settings(), new("Hosts:FanOutLimit", "1")];
    }

    private readonly string _gate = Path.Combine(Path.GetTempPath(), $"ap-gate-{Guid.NewGuid():N}");
    private string[] _hosts = null!;

    public async Task InitializeAsync()
    {
        var sshd = await lab.SshdAsync();
        _hosts = [.. (await Task.WhenAll(lab.AddHostAsync(sshd), lab.AddHostAsync(sshd))).Order(StringComparer.Ordinal)];
    }

    public Task DisposeAsync()
    {
        foreach (var f in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(_gate) + "*")) File.Delete(f);
        return Task.CompletedTask;
    }

    /// <summary>The leases of another instance on the app's database: its own monitor (it executes none of the app's runs).</summary>
    public static RunLeases OtherInstance(PortalApp app, TimeSpan lease) => new(app.Service<IDbContextFactory<PortalDbContext>>(),
        app.Service<AuditedWork>(), new RunMonitor(), Options.Create(new HostsOptions { RunLeaseTimeout = lease }), TimeProvider.System,
        NullLogger<RunLeases>.Instance);

    private Task<JsonElement> RunAsync(Guid id) => lab.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{id}");

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); !await condition(); await Task.Delay(50))
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"not within 60 s: {what}");
    }

    /// <summary>Starts a gated run and waits until its first host is running (the rest queued behind it).</summary>
    private async Task<Guid> StartGatedAsync(params string[] hosts)
    {
        var id = await lab.StartAsync("test.gate", new { gate = _gate }, hosts);
        await UntilAsync(async () => SshLab.Host(await RunAsync(id), hosts[0]).GetProperty("status").GetString() == "running", $"{hosts[0]} running");
        return id;
    }

    /// <summary>Opens the gate and waits until instance A has ended the run (its last write done).</summary>
    private async Task FinishAsync(Guid id)
    {
        await File.WriteAllTextAsync(_gate, "");
        await UntilAsync(() => Task.FromResult(lab.Service<RunMonitor>().Find(id) is null), $"run {id} ended by its owner");
    }

    /// <summary>
    /// Instance B, with a 1 s lease, sweeps until it has marked the run. A renews its leases every 30 s (a quarter of the default
    /// 2 min), so to B the lease of A's run has run out after a second: as if A had been frozen.
    /// </summary>
    private async Task InterruptAsync(Guid id)
    {
        var other = OtherInstance(lab, TimeSpan.FromSeconds(1));
        await UntilAsync(async () =>
        {
            await other.SweepAsync(default);
            return (await RunAsync(id)).GetProperty("status").GetString() == "interrupted";
        }, $"run {id} marked interrupted by the other instance");
    }

    private Task<List<AuditEvent>> TrailAsync(Guid id) => lab.AuditAboutAsync($"run:{id}");

    [Fact]
    public async Task A_run_interrupted_by_another_instance_stays_interrupted_when_its_owner_finishes_it_late()
    {
        var id = await StartGatedAsync(_hosts[0]);
        await InterruptAsync(id);
        Assert.NotNull(lab.Service<RunMonitor>().Find(id)); // A is still at it
        await FinishAsync(id);

        Assert.True(File.Exists($"{_gate}.{_hosts[0]}"), "the command ran to its end on the host");
        var run = await RunAsync(id);
        Assert.Equal("interrupted", run.GetProperty("status").GetString());
        var host = SshLab.Host(run, _hosts[0]);
        Assert.Equal("interrupted", host.GetProperty("status").GetString());
        Assert.Equal(RunLeases.Message, host.GetProperty("message").GetString());

        var trail = await TrailAsync(id);
        Assert.Equal(["action.run.started", "action.run.interrupted", RunWrites.FinishedAfterInterrupt], trail.Select(e => e.Action));
        var late = JsonDocument.Parse(trail[2].Details).RootElement;
        Assert.Equal(AuditOutcome.Failure, trail[2].Outcome);
        Assert.Equal("succeeded", late.GetProperty("status").GetString());
        Assert.Equal("interrupted", late.GetProperty("storedStatus").GetString());
        Assert.Equal("action.run.finished", late.GetProperty("event").GetString());
        var seen = Assert.Single(late.GetProperty("details").GetProperty("hosts").EnumerateArray());
        Assert.Equal(("succeeded", 0), (seen.GetProperty("status").GetString(), seen.GetProperty("exitCode").GetInt32()));
        var verify = await AuditVerifyResult.GetAsync(lab.Admin);
        Assert.True(verify.Ok, verify.Problem);
    }

    [Fact]
    public async Task A_host_still_queued_when_the_run_is_interrupted_is_never_started_by_its_owner()
    {
        var id = await StartGatedAsync(_hosts);
        await InterruptAsync(id);
        Assert.NotNull(lab.Service<RunMonitor>().Find(id));
        await FinishAsync(id);

        Assert.True(File.Exists($"{_gate}.{_hosts[0]}"));
        Assert.False(File.Exists($"{_gate}.{_hosts[1]}"), "the queued host was started after the run was interrupted");
        var run = await RunAsync(id);
        Assert.Equal("interrupted", run.GetProperty("status").GetString());
        Assert.All(_hosts, h => Assert.Equal("interrupted", SshLab.Host(run, h).GetProperty("status").GetString()));
        var trail = await TrailAsync(id);
        Assert.Equal(["action.run.started", "action.run.interrupted", RunWrites.FinishedAfterInterrupt], trail.Select(e => e.Action));
        var seen = JsonDocument.Parse(trail[2].Details).RootElement.GetProperty("details").GetProperty("hosts").EnumerateArray()
            .Select(h => $"{h.GetProperty("host").GetString()} {h.GetProperty("status").GetString()}");
        Assert.Equal([$"{_hosts[0]} succeeded", $"{_hosts[1]} interrupted"], seen);
    }

    [Fact]
    public async Task A_run_another_instance_owns_is_not_finished_by_this_one()
    {
        var id = await StartGatedAsync(_hosts[0]);
        const string elsewhere = "elsewhere:1";
        await using (var db = await lab.DbAsync())
            await db.ActionRuns.Where(r => r.Id == id).ExecuteUpdateAsync(s => s.SetProperty(r => r.Owner, elsewhere));
        await FinishAsync(id);

        var run = await RunAsync(id);
        Assert.Equal("running", run.GetProperty("status").GetString());
        Assert.Equal("running", SshLab.Host(run, _hosts[0]).GetProperty("status").GetString());
        var trail = await TrailAsync(id);
        Assert.Equal(["action.run.started", RunWrites.FinishedAfterInterrupt], trail.Select(e => e.Action));
        var late = JsonDocument.Parse(trail[1].Details).RootElement;
        Assert.Equal(("running", elsewhere), (late.GetProperty("storedStatus").GetString(), late.GetProperty("owner").GetString()));
        await InterruptAsync(id); // not left running for ever: no instance renews its lease
    }

    [Fact]
    public async Task A_run_that_keeps_its_lease_finishes_normally_on_every_host()
    {
        var id = await StartGatedAsync(_hosts);
        await FinishAsync(id);

        var run = await RunAsync(id);
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, run.GetProperty("finishedAt").ValueKind);
        Assert.All(_hosts, h => Assert.Equal("succeeded", SshLab.Host(run, h).GetProperty("status").GetString()));
        Assert.All(_hosts, h => Assert.Contains("done", SshLab.Text(SshLab.Host(run, h))));
        var trail = await TrailAsync(id);
        Assert.Equal(["action.run.started", "action.run.finished"], trail.Select(e => e.Action));
        Assert.Equal(AuditOutcome.Success, trail[1].Outcome);
        var verify = await AuditVerifyResult.GetAsync(lab.Admin);
        Assert.True(verify.Ok, verify.Problem);
    }
}
