using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Security;

namespace AdminPortal.Tests.Hosts;

/// <summary>
/// A pooled SSH connection belongs to the host key it was opened under. When a host's key is replaced and the new one
/// approved on one instance, no instance goes on using a connection opened under the old key: the next action anywhere
/// opens a new connection (checked against the new key), and the old connections are closed.
/// </summary>
public sealed partial class HostKeyReplacementTests(SshLab lab) : IClassFixture<SshLab>
{
    /// <summary>A second portal on the lab's database and data directory (another instance behind the load balancer).</summary>
    private sealed class SecondInstance(PortalApp first) : PortalApp(first.Database, first.DataDirectory);

    [GeneratedRegex(@"Accepted publickey for \S+ from 127\.0\.0\.1 port (\d+)")]
    private static partial Regex AcceptedPort();

    [Fact]
    public async Task After_a_replaced_key_is_approved_on_one_instance_the_other_opens_a_new_connection_and_closes_the_old()
    {
        using var second = new SecondInstance(lab);
        using var b = await second.TokenClientAsync(Roles.Admin);
        var sshd = await lab.SshdAsync();
        var host = await lab.AddHostAsync(sshd);
        Assert.Equal("succeeded", (await RunOnAsync(b, host)).GetProperty("status").GetString());
        Assert.Equal(1, sshd.AcceptedConnections());
        var oldPort = AcceptedPort().Match(sshd.Log()).Groups[1].Value;

        // The host gets a new key; sshd reloads, so the connection B opened under the old key stays up.
        await sshd.NewHostKeyAsync();
        await sshd.ReloadAsync();
        var approved = await lab.Admin.PostAsJsonAsync($"/api/v1/hosts/{host}/trust", new { fingerprint = await sshd.FingerprintAsync() });
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);

        Assert.Equal("succeeded", (await RunOnAsync(b, host)).GetProperty("status").GetString());
        Assert.True(sshd.AcceptedConnections() == 2, $"B's action after the approval must open a new connection:\n{sshd.Log()}");
        var closed = new Regex($@"(Disconnected from user \S+|Connection closed by|Received disconnect from) 127\.0\.0\.1 port {oldPort}\b");
        for (var i = 0; i < 200 && !closed.IsMatch(sshd.Log()); i++) await Task.Delay(50);
        Assert.True(closed.IsMatch(sshd.Log()), $"the connection opened under the old key (port {oldPort}) is closed:\n{sshd.Log()}");
    }

    private static async Task<JsonElement> RunOnAsync(HttpClient portal, string host)
    {
        var started = await portal.PostAsJsonAsync("/api/v1/runs", new { action = "system.info", hosts = new[] { host }, parameters = new { }, confirm = true });
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        return await SshLab.WaitAsync(portal, (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
    }
}
