using AdminPortal.Tests.Peers;

namespace AdminPortal.Tests.Hosts;

/// <summary>
/// file.push into a folder that another, unprivileged account (apssh) can write, while that account attacks every
/// temporary name it sees (symlinks to a root-owned canary, files opened and held), both ways of being root.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FilePushAttackTests(RootWaysLab lab) : IClassFixture<RootWaysLab>
{
    [Theory]
    [MemberData(nameof(RootWaysLab.LoginUsers), MemberType = typeof(RootWaysLab))]
    public async Task A_push_under_attack_never_touches_a_file_outside_the_folder_and_never_shows_a_secret_to_the_attacker(string login)
    {
        var root = await SymlinkAttacker.PrepareRootAsync();
        var drop = await SymlinkAttacker.OwnedFolderAsync(root, "drop");
        await using var attacker = await SymlinkAttacker.StartAsync(root, [drop]);
        var host = lab.HostOf(login);
        var secret = $"secret-{Guid.NewGuid():N}";
        var statuses = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            // Every other push is root's secret (root:root 0640); the others are the attacker's own file (apssh, 0600).
            object parameters = i % 2 == 0
                ? new { path = drop + "/app.conf", content = $"{secret}-{i}\n", owner = "root", mode = "640" }
                : new { path = drop + "/app.conf", content = $"public-{i}\n", owner = SshdServer.TestUser, mode = "600" };
            var run = await lab.RunAsync("file.push", parameters, host);
            statuses.Add($"{i}: {SshLab.Host(run, host).GetProperty("status").GetString()} {SshLab.Host(run, host).GetProperty("message")}");
        }
        var log = await attacker.FinishAsync();

        Assert.Equal(SymlinkAttacker.UntouchedCanary, await attacker.CanaryStateAsync());
        Assert.False(File.Exists(attacker.Created));
        Assert.DoesNotContain(secret, log);
        Assert.True(SymlinkAttacker.Planted(log) > 0, "the attacker never found a file to attack:\n" + log);
        Assert.All(statuses, s => Assert.Contains(": succeeded", s));
    }
}
