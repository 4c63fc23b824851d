using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Tests.Hosts;
using Xunit.Abstractions;

namespace AdminPortal.Tests.Faults;

/// <summary>
/// A managed host's sshd killed (SIGKILL, by PID, with the sessions it serves) or frozen (SIGSTOP) while a remote action
/// runs on it: the run ends on its own, within a bounded time, with a clear message, and the pool serves the host again
/// once it is back.
/// </summary>
public sealed class SshHostKillTests(SshLab lab, ITestOutputHelper output) : IClassFixture<SshLab>
{
    private async Task WaitRunningAsync(Guid id, string host)
    {
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); ;)
        {
            var r = await lab.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{id}");
            if (SshLab.Host(r, host).GetProperty("status").GetString() == "running") break;
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"never running: {r}");
            await Task.Delay(25);
        }
        await Task.Delay(500); // the command is under way on the host
    }

    [Fact]
    public async Task A_host_killed_mid_action_fails_the_run_with_a_clear_message_and_the_pool_reconnects_when_it_returns()
    {
        var sshd = await lab.SshdAsync();
        var host = await lab.AddHostAsync(sshd);
        var id = await lab.StartAsync("test.wait", new { seconds = 120 }, [host]);
        await WaitRunningAsync(id, host);

        var clock = Stopwatch.StartNew();
        sshd.SignalAll("KILL");
        var run = await lab.WaitAsync(id, TimeSpan.FromSeconds(30));
        var ended = clock.Elapsed;
        var result = SshLab.Host(run, host);
        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Equal("error", result.GetProperty("status").GetString());
        // Lost mid-command, or closed under the channel before the command's end was read: either way the operator reads why.
        Assert.Matches("the connection was (lost|closed)", result.GetProperty("message").GetString());
        Assert.True(ended < TimeSpan.FromSeconds(10), $"took {ended}");

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
        var id = await lab.StartAsync("test.sleep", new { seconds = 30 }, [host]); // the action's timeout is 3 s
        await WaitRunningAsync(id, host);

        var clock = Stopwatch.StartNew();
        sshd.SignalAll("STOP");
        try
        {
            var run = await lab.WaitAsync(id, TimeSpan.FromSeconds(30));
            var ended = clock.Elapsed;
            var result = SshLab.Host(run, host);
            Assert.True(result.GetProperty("status").GetString() is "timeout" or "error", run.ToString());
            Assert.False(string.IsNullOrWhiteSpace(result.GetProperty("message").GetString()));
            Assert.True(ended < TimeSpan.FromSeconds(15), $"took {ended}");
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
