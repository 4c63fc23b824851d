using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AdminPortal.Testing;
using AdminPortal.Tests.Peers;

namespace AdminPortal.Tests.Hosts;

/// <summary>The connection pool and the run machinery at their limits, against real sshd servers.</summary>
public sealed class SshPoolTests(SshLab lab) : IClassFixture<SshLab>
{
    [Fact]
    public async Task Twenty_concurrent_actions_on_one_host_share_one_connection_of_at_most_ten_channels_and_all_succeed()
    {
        var sshd = await lab.SshdAsync(maxSessions: 10);
        var host = await lab.AddHostAsync(sshd);
        var gate = Path.Combine(Path.GetTempPath(), $"ap-gate-{Guid.NewGuid():N}");
        try
        {
            // Each action holds its channel at the gate until the test opens it: all twenty are in flight at once however
            // slow the machine is, so the pool's state is a fact to wait for, not a moment to catch.
            var ids = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => lab.StartAsync("test.gate", new { gate }, [host])));
            var held = await Eventually.Async(() => PoolAsync(host), p => p.InUse == 10 && p.Queued == 10,
                "ten channels in use and ten actions queued in the pool");
            Assert.Equal(new PoolView(10, 10), held);

            await File.WriteAllTextAsync(gate, "");
            var runs = await Task.WhenAll(ids.Select(id => lab.WaitAsync(id)));

            Assert.All(runs, r => Assert.Equal("succeeded", r.GetProperty("status").GetString()));
            Assert.All(runs, r => Assert.Equal("started\ndone", SshLab.Text(SshLab.Host(r, host))));
            // The pool never asks for an 11th channel, but sshd frees a finished session only after reaping its process, so on
            // a loaded machine it can refuse the next channel for a moment ("no more sessions"); the action then waits and gets it.
            Assert.Equal(1, sshd.AcceptedConnections());
        }
        finally
        {
            foreach (var f in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(gate) + "*")) File.Delete(f);
        }
    }

    private sealed record PoolView(int InUse, int Queued);

    private async Task<PoolView> PoolAsync(string host)
    {
        var pool = (await lab.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/hosts/{host}")).GetProperty("pool");
        return pool.ValueKind == JsonValueKind.Object ? new PoolView(pool.GetProperty("inUse").GetInt32(), pool.GetProperty("queued").GetInt32()) : new PoolView(0, 0);
    }

    [Fact]
    public async Task A_wrong_key_and_a_closed_port_end_with_a_clear_error_within_the_connect_timeout()
    {
        var sshd = await lab.SshdAsync();
        var stranger = await lab.CreateCredentialAsync(); // not in authorized_keys
        var wrongKey = await lab.AddHostAsync(sshd, credential: stranger.Name);
        var closedPort = SshdServer.FreePort();
        var closed = $"closed-{Guid.NewGuid():N}"[..14];
        var added = await lab.Admin.PostAsJsonAsync("/api/v1/hosts", new
        {
            name = closed, address = "127.0.0.1", port = closedPort, user = SshdServer.TestUser, credential = lab.Credential.Name,
            // Approved in advance: a later approval must name the key the host presents, and this one presents none.
            fingerprint = await sshd.FingerprintAsync(),
        });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var body = await added.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.Null, body.GetProperty("presentedFingerprint").ValueKind);
        Assert.Contains("connection refused", body.GetProperty("lastError").GetString());

        // Both refusals are immediate: the messages name them (a hang would end in the connect timeout's message instead).
        var run = await lab.WaitAsync(await lab.StartAsync("system.info", new { }, [wrongKey, closed]));
        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Equal("error", SshLab.Host(run, wrongKey).GetProperty("status").GetString());
        Assert.Contains("authentication refused", SshLab.Host(run, wrongKey).GetProperty("message").GetString());
        Assert.Equal("error", SshLab.Host(run, closed).GetProperty("status").GetString());
        Assert.Contains("connection refused", SshLab.Host(run, closed).GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_action_that_hangs_past_its_timeout_is_stopped_and_the_pool_goes_on()
    {
        var sshd = await lab.SshdAsync();
        var host = await lab.AddHostAsync(sshd);
        // Ended by the action's own 3 s timeout (the message says so), long before the 30 s sleep would have.
        var run = await lab.RunAsync("test.sleep", new { seconds = 30 }, host);
        var result = SshLab.Host(run, host);
        Assert.Equal("timeout", result.GetProperty("status").GetString());
        Assert.Contains("within its timeout of 3 s", result.GetProperty("message").GetString());
        Assert.Equal("succeeded", (await lab.RunAsync("test.sleep", new { seconds = 0 }, host)).GetProperty("status").GetString());
        Assert.Equal(1, sshd.AcceptedConnections());
    }

    [Fact]
    public async Task Ten_megabytes_of_output_keep_the_first_mebibyte_count_and_hash_all_of_it()
    {
        var sshd = await lab.SshdAsync();
        var host = await lab.AddHostAsync(sshd);
        var run = await lab.RunAsync("test.flood", new { megabytes = 10 }, host);
        var result = SshLab.Host(run, host);
        Assert.True(result.GetProperty("status").GetString() == "succeeded", result.GetProperty("message").ToString());
        Assert.Equal(10L * 1024 * 1024, result.GetProperty("outputBytes").GetInt64());
        Assert.True(result.GetProperty("truncated").GetBoolean());
        var stored = SshLab.Text(result);
        Assert.InRange(stored.Length, 1024 * 1024 - 100, 1024 * 1024);
        Assert.Contains("output truncated", result.GetProperty("output").GetString());
        var line = Encoding.ASCII.GetBytes(TestActions.FloodLine + "\n");
        var expected = new byte[10 * 1024 * 1024];
        for (var i = 0; i < expected.Length; i++) expected[i] = line[i % line.Length];
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(expected)), result.GetProperty("outputSha256").GetString());

        // The run page renders at most 2,000 lines per host, whatever the size of the output.
        var admin = await lab.LoginAsync(await lab.CreateOperatorAsync(AdminPortal.Web.Security.Roles.Admin));
        var page = await admin.GetStringAsync($"/runs/{run.GetProperty("id").GetString()}");
        Assert.Contains("showing the last 2,000 of", page);
        Assert.InRange(page.Split(TestActions.FloodLine).Length - 1, 1990, 2001);
    }

    [Fact]
    public async Task Cancel_mid_run_stops_the_remote_command_and_the_pool_goes_on()
    {
        var sshd = await lab.SshdAsync();
        var host = await lab.AddHostAsync(sshd);
        var gate = Path.Combine(Path.GetTempPath(), $"ap-gate-{Guid.NewGuid():N}"); // never opened: only the cancel ends the command
        var id = await lab.StartAsync("test.gate", new { gate }, [host]);
        await Eventually.TrueAsync(() => File.Exists(TestActions.StartedFile(gate, host)), "the command under way on the host");
        var cancel = await lab.Admin.PostAsync($"/api/v1/runs/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var run = await lab.WaitAsync(id, TimeSpan.FromSeconds(45)); // well inside the action's own 60 s timeout
        File.Delete(TestActions.StartedFile(gate, host));
        Assert.Equal("cancelled", run.GetProperty("status").GetString());
        Assert.Equal("cancelled", SshLab.Host(run, host).GetProperty("status").GetString());
        Assert.Equal("succeeded", (await lab.RunAsync("test.sleep", new { seconds = 0 }, host)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await lab.Admin.PostAsync($"/api/v1/runs/{id}/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task After_sshd_restarts_between_two_actions_the_pool_reconnects()
    {
        var sshd = await lab.SshdAsync();
        var host = await lab.AddHostAsync(sshd);
        Assert.Equal("succeeded", (await lab.RunAsync("system.info", new { }, host)).GetProperty("status").GetString());
        await sshd.RestartAsync();
        var run = await lab.RunAsync("system.info", new { }, host);
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.Equal(2, sshd.AcceptedConnections());
    }

    [Fact]
    public async Task Environment_and_stdin_reach_the_command_literally()
    {
        var sshd = await lab.SshdAsync();
        var host = await lab.AddHostAsync(sshd);
        const string text = "a'b\"c $(id) `id` ; x";
        var run = await lab.RunAsync("test.env", new { text }, host);
        Assert.Equal($"{text}|{text}", SshLab.Text(SshLab.Host(run, host)));
    }
}
