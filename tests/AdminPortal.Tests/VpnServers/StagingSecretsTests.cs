using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using AdminPortal.Tests.Peers;

namespace AdminPortal.Tests.VpnServers;

/// <summary>
/// server.key and the tls-crypt key are never readable by another account on the VPN host, not even while a publish stages
/// them or a "server compromised" re-key republishes: the unprivileged <see cref="SshdServer.TestUser"/> watches the config
/// directory the whole time and opens every file it finds (<see cref="SecretWatcher"/>). Real sshd, real OpenVPN.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class StagingSecretsTests(VpnServerLab lab) : IClassFixture<VpnServerLab>, IAsyncLifetime
{
    public Task InitializeAsync() => lab.EnsureProfileAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Another_account_watching_the_config_directory_never_reads_a_staged_key_during_publishes_and_a_compromise_rekey()
    {
        var (host, hostName) = await lab.VpnHostAsync();
        var server = await lab.AddServerAsync(host, hostName);
        await using var watcher = SecretWatcher.Start(host.ConfigDir);

        for (var i = 0; i < 3; i++)
        {
            var run = await lab.PublishAsync(server);
            Assert.True(run.GetProperty("status").GetString() == "succeeded", $"{run}\n{host.ServerLog()}");
        }
        var compromised = await lab.Admin.PostAsJsonAsync($"/api/v1/vpn-profiles/{VpnServerLab.Profile}/compromised",
            new { confirm = VpnServerLab.Profile, resendLinks = false });
        Assert.True(compromised.StatusCode == HttpStatusCode.OK, await compromised.Content.ReadAsStringAsync());
        var result = await compromised.Content.ReadFromJsonAsync<JsonElement>();
        var rekey = result.GetProperty("publishRuns").EnumerateArray().Single(r => r.GetProperty("server").GetString() == server).GetProperty("runId").GetGuid();
        var republished = await lab.WaitAsync(rekey, TimeSpan.FromSeconds(180));
        Assert.True(republished.GetProperty("status").GetString() == "succeeded", $"{republished}\n{host.ServerLog()}");

        var seen = await watcher.StopAsync();
        // It was looking (it read the public ca.pem), and it never opened a file with key material.
        Assert.Contains(seen, l => l == $"PUBLIC {Path.Combine(host.ConfigDir, "ca.pem")}");
        Assert.Empty(watcher.Secrets());
        Assert.Contains("PRIVATE KEY", await File.ReadAllTextAsync(Path.Combine(host.ConfigDir, "server.key")));
    }
}
