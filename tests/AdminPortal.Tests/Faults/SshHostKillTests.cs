using System.Diagnostics;
using AdminPortal.Testing;
using AdminPortal.Tests.Hosts;
using Xunit.Abstractions;

namespace AdminPortal.Tests.Faults;

/// <summary>
/// A managed host's sshd killed (SIGKILL, by PID, with the sessions it serves) or frozen (SIGSTOP) while a remote action
/// runs on it: the run ends on its own (within the wait's deadline), with a clear message, and the pool serves the host
/// again once it is back. The action starts only once the host has left its "under way" file: no moment is guessed.
/// </summary>
public sealed class SshHostKillTests(SshLab lab, ITestOutputHelper output) : IClassFixture<SshLab>, IDisposable
{
    private readonly string _gate = Path.Combine(Path.GetTempPath(), $"ap-gate-{Guid.NewGuid():N}"); // never opened

    /// <summary>Starts a gated action and waits for the host's own sign that the command is under way.</summary>
    private async Task<Guid> StartOnHostAsync(string action, string host)
    {
        var id = await lab.StartAsync(action, new { gate = _gate }, [host]);
        await Eventually.TrueAsync(() => File.Exists(TestActions.StartedFile(_gate, host)), $"{action} under way on {host}");
        return id;
    }

    public void Dispose()
    {
        foreach (var f in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(_gate) + "*")) File.Delete(f);
    }

    [Fact]
    public async Task A_host_killed_mid_action_fails_the_run_with_a_clear_message_and_the_pool_reconnects_when_it_returns()
    {
        var sshd = await lab.SshdAsync();
        var host = await lab.AddHostAsync(sshd);
        var id = await StartOnHostAsync("test.gate", host); // the action's timeout is 60 s

        var clock = Stopwatch.StartNew();
        sshd.SignalAll("KILL");
        var run = await lab.WaitAsync(id, TimeSpan.FromSeconds(30));
        var ended = clock.Elapsed;
        var result = SshLab.Host(run, host);
        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Equal("error", result.GetProperty("status").GetString());
        // Lost mid-command, or closed under the channel before the command's end was read: either way the operator reads why.
        Assert.Matches("the connection was (lost|closed)", result.GetProperty("message").GetString());

        await sshd.RestartAsync();
        clock.Restart();
        var again = await lab.RunAsync("test.sleep", new { seconds = 0 }, host);
        Assert.True(again.GetProperty("status").GetString() == "succeeded", again.ToString());
        output.WriteLine($"killed host: the run ended {ended.TotalMilliseconds:0} ms after the SIGKILL; the next run after the restart took {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task A_host_frozen_mid_action_times_the_run_out_at_the_action_timeout_and_the_pool_goes_on_once_it_thaws()
    {
        var sshd = await lab.SshdAsync();
        var host = await lab.AddHostAsync(sshd);
        var id = await StartOnHostAsync("test.gate.brief", host); // the action's timeout is 3 s

        var clock = Stopwatch.StartNew();
        sshd.SignalAll("STOP");
        try
        {
            var run = await lab.WaitAsync(id, TimeSpan.FromSeconds(30));
            var ended = clock.Elapsed;
            var result = SshLab.Host(run, host);
            Assert.True(result.GetProperty("status").GetString() is "timeout" or "error", run.ToString());
            Assert.False(string.IsNullOrWhiteSpace(result.GetProperty("message").GetString()));
            output.WriteLine($"frozen host: the run ended '{result.GetProperty("status").GetString()}' {ended.TotalMilliseconds:0} ms after the SIGSTOP: {result.GetProperty("message").GetString()}");
        }
        finally
        {
            sshd.SignalAll("CONT");
        }
        clock.Restart();
        var again = await lab.RunAsync("test.sleep", new { seconds = 0 }, host);
        Assert.True(again.GetProperty("status").GetString() == "succeeded", again.ToString());
        output.WriteLine($"after the thaw the next run took {clock.ElapsedMilliseconds} ms");
    }
}
