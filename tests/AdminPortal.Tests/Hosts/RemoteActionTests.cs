using System.Net;
using System.Text.Json;
using AdminPortal.Tests.Peers;

namespace AdminPortal.Tests.Hosts;

/// <summary>The built-in actions on a real sshd host, and parameters that try to change a command's meaning.</summary>
public sealed class RemoteActionTests(SshLab lab) : IClassFixture<SshLab>, IAsyncLifetime
{
    private readonly string _canary = $"/tmp/pwned-{Guid.NewGuid():N}";
    private readonly string _keyDir = Path.Combine(Path.GetTempPath(), "apkeys-" + Guid.NewGuid().ToString("N")[..8]);
    private SshdServer _sshd = null!;
    private string _host = null!;
    private string _root = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_keyDir);
        _sshd = await lab.SshdAsync();
        _host = await lab.AddHostAsync(_sshd, services: ["cron.service"]);
        _root = await lab.AddHostAsync(_sshd, user: "root");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_keyDir, true);
        return Task.CompletedTask;
    }

    private string[] Payloads => [$"x; touch {_canary}", $"$(touch {_canary})", $"`touch {_canary}`", $"x' ; touch {_canary}; echo '",
        $"x\" ; touch {_canary}; echo \"", $"x\ntouch {_canary}", "--help", "-rf", $"x && touch {_canary}", $"x | touch {_canary}"];

    [Fact]
    public async Task Hostile_values_are_rejected_by_their_type_and_nothing_runs()
    {
        async Task<int> RunsAsync()
        {
            await using var db = await lab.DbAsync();
            return db.ActionRuns.Count();
        }
        var before = await RunsAsync();
        foreach (var bad in Payloads)
        {
            foreach (var (action, parameters) in new (string, object)[]
                     {
                         ("account.create", new { username = bad, publicKey = lab.Credential.PublicKey }),
                         ("account.create", new { username = "apvalid", publicKey = bad }),
                         ("account.create", new { username = "apvalid", publicKey = lab.Credential.PublicKey + " " + bad }),
                         ("account.disable", new { username = bad }),
                         ("service.status", new { unit = bad }),
                         ("file.push", new { path = "/tmp/" + bad, content = "x" }),
                         ("file.push", new { path = "/tmp/ok", content = "x", owner = bad }),
                         ("file.push", new { path = "/tmp/ok", content = "x", mode = bad }),
                     })
            {
                var r = await lab.StartRunAsync(action, parameters, [_root], confirm: true);
                Assert.True(r.StatusCode == HttpStatusCode.BadRequest, $"{action} {JsonSerializer.Serialize(parameters)}: {r.StatusCode}");
                Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            }
        }
        var unknownUnit = await lab.StartRunAsync("service.status", new { unit = "sshd.service" }, [_host]);
        Assert.Contains("allow-list", await unknownUnit.Content.ReadAsStringAsync());
        var unconfirmed = await lab.StartRunAsync("account.disable", new { username = "nobody" }, [_root]);
        Assert.Contains("confirm", await unconfirmed.Content.ReadAsStringAsync());
        Assert.Equal(before, await RunsAsync());
        Assert.False(File.Exists(_canary));
    }

    [Fact]
    public async Task Hostile_values_that_a_type_allows_reach_the_command_literally()
    {
        foreach (var text in Payloads)
        {
            var run = await lab.RunAsync("test.echo", new { text }, _host);
            Assert.Equal(text, SshLab.Text(SshLab.Host(run, _host)));
            var push = await lab.RunAsync("file.push", new { path = "/tmp/ap-push-literal", content = text, mode = "600" }, _root);
            Assert.Equal("succeeded", push.GetProperty("status").GetString());
            Assert.Equal(text, await File.ReadAllTextAsync("/tmp/ap-push-literal"));
        }
        Assert.False(File.Exists(_canary));
        File.Delete("/tmp/ap-push-literal");
    }

    [Fact]
    public async Task Account_create_makes_a_user_who_then_logs_in_with_the_installed_key_and_account_disable_stops_it()
    {
        var user = $"apu{Guid.NewGuid():N}"[..12];
        var key = Path.Combine(_keyDir, "id_ed25519");
        await Proc.CheckedAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "colleague@example", "-f", key]);
        var publicKey = (await File.ReadAllTextAsync(key + ".pub")).Trim();
        try
        {
            var run = await lab.RunAsync("account.create", new { username = user, publicKey }, _root);
            var result = SshLab.Host(run, _root);
            Assert.True(result.GetProperty("status").GetString() == "succeeded", result.ToString());
            Assert.Contains($"created {user}", SshLab.Text(result));
            Assert.Equal(user, (await SshAsync(user, key, "id -un")).Trim());

            var again = SshLab.Host(await lab.RunAsync("account.create", new { username = user, publicKey }, _root), _root);
            Assert.Equal("failed", again.GetProperty("status").GetString());
            Assert.Contains("already exists", SshLab.Text(again, "err"));

            var disabled = await lab.RunAsync("account.disable", new { username = user }, _root);
            Assert.Equal("succeeded", disabled.GetProperty("status").GetString());
            await Assert.ThrowsAsync<InvalidOperationException>(() => SshAsync(user, key, "id -un"));
        }
        finally
        {
            await Proc.RunAsync("userdel", ["-r", user]);
        }
    }

    [Fact]
    public async Task File_push_uploads_then_renames_into_place_with_owner_and_mode()
    {
        var path = $"/tmp/ap-push-{Guid.NewGuid():N}";
        try
        {
            var run = await lab.RunAsync("file.push", new { path, content = "hello\nworld\n", owner = SshdServer.TestUser, mode = "640" }, _root);
            Assert.True(run.GetProperty("status").GetString() == "succeeded", run.ToString());
            Assert.Equal("hello\nworld\n", await File.ReadAllTextAsync(path));
            var stat = (await Proc.CheckedAsync("stat", ["-c", "%U %a", path])).Trim();
            Assert.Equal($"{SshdServer.TestUser} 640", stat);
            Assert.Empty(Directory.GetFiles("/tmp", $".{Path.GetFileName(path)}.portal-*"));
            await using var db = await lab.DbAsync();
            var audit = db.AuditEvents.Where(e => e.Action == "action.run.started").OrderByDescending(e => e.Sequence).First();
            Assert.DoesNotContain("hello", audit.Details);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private async Task<string> SshAsync(string user, string key, string command) =>
        await Proc.CheckedAsync("ssh", ["-i", key, "-p", _sshd.Port.ToString(), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=5", $"{user}@127.0.0.1", command], timeout: TimeSpan.FromSeconds(20));
}
