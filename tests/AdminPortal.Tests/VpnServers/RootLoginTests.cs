using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using AdminPortal.Pki;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.VpnServers;

namespace AdminPortal.Tests.VpnServers;

/// <summary>
/// Both ways of being root on a VPN host, end to end against a real sshd and OpenVPN: a root login, and
/// <see cref="SshdServer.SudoUser"/> (a non-root login with a NOPASSWD sudo rule: the portal runs its scripts with
/// <c>sudo -n</c>). Each way publishes, pushes a newer CRL and pushes a ccd file; the files end up root's with their modes.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class RootLoginTests(VpnServerLab lab) : IClassFixture<VpnServerLab>, IAsyncLifetime
{
    public Task InitializeAsync() => lab.EnsureProfileAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("root")]
    [InlineData(SshdServer.SudoUser)]
    public async Task Publish_crl_push_and_ccd_push_work_for_the_login_user(string user)
    {
        var (host, hostName) = await lab.VpnHostAsync(user);
        var server = await lab.AddServerAsync(host, hostName);

        var run = await lab.PublishAsync(server);
        Assert.True(run.GetProperty("status").GetString() == "succeeded", $"{run}\n{host.ServerLog()}");
        Assert.NotNull(await host.ServerPidAsync());
        var key = new FileInfo(Path.Combine(host.ConfigDir, "server.key"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, key.UnixFileMode);
        Assert.Equal("0", (await Proc.CheckedAsync("stat", ["-c", "%u", key.FullName])).Trim());
        var published = CrlFacts.ReadPem(await File.ReadAllTextAsync(Path.Combine(host.ConfigDir, "crl.pem")))[0].Number;

        // A revocation's CRL, pushed (the revocation's own distribution may be first: either installs it).
        var revoked = $"rv-{Guid.NewGuid():N}"[..11];
        Assert.Equal(HttpStatusCode.Created, (await lab.Admin.PostAsJsonAsync("/api/v1/vpn-users", new { name = revoked })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await lab.Admin.PostAsJsonAsync($"/api/v1/vpn-users/{revoked}/revoke", new { reason = "keyCompromise" })).StatusCode);
        var push = await lab.Admin.PostAsync($"/api/v1/vpn-servers/{server}/crl", null);
        Assert.Equal(HttpStatusCode.OK, push.StatusCode);
        var pushed = await push.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(pushed.GetProperty("problem").ValueKind == JsonValueKind.Null, pushed.ToString());
        var now = CrlFacts.ReadPem(await File.ReadAllTextAsync(Path.Combine(host.ConfigDir, "crl.pem")))[0].Number;
        Assert.True(now > published, $"{now} after {published}");
        Assert.True(File.GetUnixFileMode(Path.Combine(host.ConfigDir, "crl.pem")).HasFlag(UnixFileMode.OtherRead));

        // A ccd push, then clearing it.
        var ccdUser = $"cc-{Guid.NewGuid():N}"[..11];
        var address = user == "root" ? "10.8.0.201" : "10.8.0.202";
        Assert.Equal(HttpStatusCode.Created, (await lab.Admin.PostAsJsonAsync("/api/v1/vpn-users", new { name = ccdUser })).StatusCode);
        var put = await lab.Admin.PutAsJsonAsync($"/api/v1/vpn-users/{ccdUser}/client-config", new { profile = VpnServerLab.Profile, staticAddress = address });
        Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        Assert.True((await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("pushes").EnumerateArray()
            .Single(p => p.GetProperty("server").GetString() == server).GetProperty("ok").GetBoolean());
        var ccd = Path.Combine(host.ConfigDir, "ccd", ccdUser);
        Assert.Equal($"ifconfig-push {address} 255.255.255.0\n", await File.ReadAllTextAsync(ccd));
        Assert.Equal("0", (await Proc.CheckedAsync("stat", ["-c", "%u", ccd])).Trim());
        Assert.Equal(HttpStatusCode.OK, (await lab.Admin.PutAsJsonAsync($"/api/v1/vpn-users/{ccdUser}/client-config", new { profile = VpnServerLab.Profile })).StatusCode);
        Assert.False(File.Exists(ccd));
        Assert.Contains(PublishScripts.LockFile, Directory.GetFiles(host.ConfigDir).Select(Path.GetFileName));
    }
}
