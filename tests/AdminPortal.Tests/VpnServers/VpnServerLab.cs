using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using AdminPortal.Tests.Bundles;
using AdminPortal.Tests.Hosts;
using AdminPortal.Tests.Peers;

namespace AdminPortal.Tests.VpnServers;

/// <summary>
/// The portal, its CA and a tcp profile served on 127.0.0.1:1194, plus fresh VPN hosts (<see cref="VpnHostLab"/>: sshd with
/// root login + a network namespace) added as managed hosts and as daemon-mode VPN servers through the API.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class VpnServerLab : SshLab
{
    public const string Profile = "vpnlab";
    private readonly List<VpnHostLab> _hosts = [];

    public Task EnsureProfileAsync() => BundleSetup.EnsureCaAndProfileAsync(Admin, "Vpn-Lab-CA",
        new { name = Profile, remoteHost = "127.0.0.1", port = VpnPort, protocol = "tcp" });

    public const int VpnPort = 1194;

    /// <summary>
    /// A fresh VPN host, added to the portal as a trusted host that logs in as <paramref name="user"/>: root, or
    /// <see cref="SshdServer.SudoUser"/> (a non-root login that becomes root with <c>sudo -n</c>).
    /// </summary>
    public async Task<(VpnHostLab Lab, string Host)> VpnHostAsync(string user = "root")
    {
        var sshd = await SshdAsync();
        if (user == SshdServer.SudoUser) sshd.Authorize(SshdServer.SudoUser, Credential.PublicKey);
        var lab = await VpnHostLab.StartAsync(sshd);
        lock (_hosts) _hosts.Add(lab);
        return (lab, await AddHostAsync(sshd, user: user));
    }

    /// <summary>Adds a daemon-mode VPN server for the lab's profile on the host; returns its name.</summary>
    public async Task<string> AddServerAsync(VpnHostLab lab, string host, string[]? serverDirectives = null)
    {
        var name = $"vpn-{Guid.NewGuid():N}"[..12];
        var r = await Admin.PostAsJsonAsync("/api/v1/vpn-servers", new
        {
            name, host, profile = Profile, configDir = lab.ConfigDir, runMode = "daemon", netNamespace = lab.Namespace, serverDirectives,
        });
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        return name;
    }

    /// <summary>Issues a user and returns their unified client profile (.ovpn) for the lab's profile.</summary>
    public async Task<string> ClientProfileAsync(string? user = null)
    {
        user ??= $"user-{Guid.NewGuid():N}"[..13];
        var issued = await Admin.PostAsJsonAsync("/api/v1/vpn-users", new { name = user });
        Assert.True(issued.StatusCode == HttpStatusCode.Created, await issued.Content.ReadAsStringAsync());
        var bundle = await Admin.GetAsync($"/api/v1/vpn-users/{user}/bundle?profile={Profile}&platform=ovpn");
        Assert.True(bundle.StatusCode == HttpStatusCode.OK, await bundle.Content.ReadAsStringAsync());
        return await bundle.Content.ReadAsStringAsync();
    }

    /// <summary>Waits (bounded) for the run a 202 {runId} answer started.</summary>
    public async Task<JsonElement> WaitStartedAsync(HttpResponseMessage started)
    {
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        return await WaitAsync((await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid(), TimeSpan.FromSeconds(180));
    }

    /// <summary>Publishes through the API and returns the finished run.</summary>
    public async Task<JsonElement> PublishAsync(string server) => await WaitStartedAsync(await Admin.PostAsync($"/api/v1/vpn-servers/{server}/publish", null));

    public async Task<JsonElement> ServerAsync(string name) => await Admin.GetFromJsonAsync<JsonElement>($"/api/v1/vpn-servers/{name}");

    protected override async Task DisposePeersAsync()
    {
        foreach (var lab in _hosts) await lab.DisposeAsync();
    }
}
