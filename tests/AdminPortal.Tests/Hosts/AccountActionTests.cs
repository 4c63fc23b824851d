using System.Net;
using AdminPortal.Tests.Peers;

namespace AdminPortal.Tests.Hosts;

/// <summary>account.create and account.disable both ways of being root (a root login and sudo -n), and their refusals.</summary>
public sealed class AccountActionTests(RootWaysLab lab) : IClassFixture<RootWaysLab>, IDisposable
{
    private readonly string _keyDir = Directory.CreateTempSubdirectory("apkeys-").FullName;

    public void Dispose() => Directory.Delete(_keyDir, true);

    [Theory]
    [MemberData(nameof(RootWaysLab.LoginUsers), MemberType = typeof(RootWaysLab))]
    public async Task Account_create_then_disable_work_and_the_new_user_logs_in_until_disabled(string login)
    {
        var host = lab.HostOf(login);
        var user = $"apu{Guid.NewGuid():N}"[..12];
        var key = Path.Combine(_keyDir, user);
        await Proc.CheckedAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "colleague@example", "-f", key]);
        var publicKey = (await File.ReadAllTextAsync(key + ".pub")).Trim();
        try
        {
            var created = SshLab.Host(await lab.RunAsync("account.create", new { username = user, publicKey }, host), host);
            Assert.True(created.GetProperty("status").GetString() == "succeeded", created.ToString());
            Assert.Contains($"created {user}", SshLab.Text(created));
            var home = (await Proc.CheckedAsync("getent", ["passwd", user])).Split(':')[5];
            Assert.Equal($"{user}:{user} 700", (await Proc.CheckedAsync("stat", ["-c", "%U:%G %a", $"{home}/.ssh"])).Trim());
            Assert.Equal($"{user}:{user} 600", (await Proc.CheckedAsync("stat", ["-c", "%U:%G %a", $"{home}/.ssh/authorized_keys"])).Trim());
            Assert.Equal(user, (await SshAsync(user, key, "id -un")).Trim());

            var disabled = SshLab.Host(await lab.RunAsync("account.disable", new { username = user }, host), host);
            Assert.True(disabled.GetProperty("status").GetString() == "succeeded", disabled.ToString());
            Assert.Contains($"disabled {user}", SshLab.Text(disabled));
            await Assert.ThrowsAsync<InvalidOperationException>(() => SshAsync(user, key, "id -un"));
        }
        finally
        {
            await Proc.RunAsync("userdel", ["-r", user]);
        }
    }

    [Theory]
    [MemberData(nameof(RootWaysLab.LoginUsers), MemberType = typeof(RootWaysLab))]
    public async Task Account_actions_refuse_root_and_the_portal_login_user_before_anything_runs(string login)
    {
        var host = lab.HostOf(login);
        async Task<int> RunsAsync()
        {
            await using var db = await lab.DbAsync();
            return db.ActionRuns.Count();
        }
        var shadowBefore = await ShadowOfAsync("root", login);
        var before = await RunsAsync();
        foreach (var user in new[] { "root", login }.Distinct())
        {
            var disable = await lab.StartRunAsync("account.disable", new { username = user }, [host], confirm: true);
            Assert.Equal(HttpStatusCode.BadRequest, disable.StatusCode);
            Assert.Equal("application/problem+json", disable.Content.Headers.ContentType?.MediaType);
            var text = await disable.Content.ReadAsStringAsync();
            Assert.Contains("parameters.username", text);
            Assert.Contains(user == "root" ? "'root' cannot be changed" : "the account the portal logs in with", text);

            var create = await lab.StartRunAsync("account.create", new { username = user, publicKey = lab.Credential.PublicKey }, [host]);
            Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        }
        Assert.Equal(before, await RunsAsync());
        Assert.Equal(shadowBefore, await ShadowOfAsync("root", login));
        // And the portal still logs in and is root.
        var info = SshLab.Host(await lab.RunAsync("system.info", new { }, host), host);
        Assert.Equal("succeeded", info.GetProperty("status").GetString());
    }

    /// <summary>The accounts' /etc/shadow lines (lock and expiry live there).</summary>
    private static async Task<string> ShadowOfAsync(params string[] users) =>
        string.Join("\n", (await File.ReadAllLinesAsync("/etc/shadow")).Where(l => users.Contains(l.Split(':')[0])));

    private async Task<string> SshAsync(string user, string key, string command) =>
        await Proc.CheckedAsync("ssh", ["-i", key, "-p", lab.Sshd.Port.ToString(), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=5", $"{user}@127.0.0.1", command], timeout: TimeSpan.FromSeconds(20));
}
