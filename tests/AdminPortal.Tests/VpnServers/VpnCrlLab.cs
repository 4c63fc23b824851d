using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using AdminPortal.Tests.Bundles;
using AdminPortal.Tests.Hosts;
using AdminPortal.Tests.Peers;
using AdminPortal.Tests.Pki;

namespace AdminPortal.Tests.VpnServers;

/// <summary>A VPN server as the tests see it: the portal's record, the real OpenVPN (in its own namespace) and the sshd that reaches it.</summary>
[SupportedOSPlatform("linux")]
public sealed record VpnSite(string Name, OpenVpnLab Lab, SshdServer Sshd, string Host);

/// <summary>
/// The portal with a CA (root only, or root and issuing intermediate) and a TCP profile "corp" (10.8.0.0/24), plus real
/// OpenVPN servers started from the profile's server files (with <c>client-config-dir ccd</c>), each registered as a VPN
/// server whose host is a real sshd on loopback (login as root, as the files belong to root). The CRL monitor does not run
/// by itself (its period is a year): tests run a round with <see cref="AdminPortal.Web.VpnServers.Crl.CrlMonitorJob.CheckAllAsync"/>.
/// </summary>
[SupportedOSPlatform("linux")]
public class VpnCrlLab : SshLab
{
    public const string Profile = "corp";
    private readonly List<OpenVpnLab> _labs = [];

    protected virtual bool TwoTier => false;
    protected virtual TimeSpan AlertThreshold => TimeSpan.FromDays(7);

    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        .. base.Settings(), new("VpnServers:CrlMonitorPeriod", "365.00:00:00"), new("VpnServers:CrlAlertThreshold", AlertThreshold.ToString("c")),
    ];

    private readonly SemaphoreSlim _setup = new(1, 1);
    private bool _ready;

    /// <summary>Creates the CA and the profile once (the first test of the class that needs them).</summary>
    public async Task EnsureCaAndProfileAsync()
    {
        await _setup.WaitAsync();
        try
        {
            if (_ready) return;
            var ca = await Admin.PostAsJsonAsync("/api/v1/ca", TwoTier
                ? new { name = "Vpn-Root", intermediate = new { name = "Vpn-Issuing" } }
                : (object)new { name = "Vpn-Root" });
            Assert.Equal(HttpStatusCode.Created, ca.StatusCode);
            var profile = await Admin.PostAsJsonAsync("/api/v1/vpn-profiles",
                new { name = Profile, remoteHost = "127.0.0.1", port = OpenVpnLab.DefaultPort, protocol = "tcp", serverNetwork = "10.8.0.0/24" });
            Assert.Equal(HttpStatusCode.Created, profile.StatusCode);
            _ready = true;
        }
        finally
        {
            _setup.Release();
        }
    }

    /// <summary>Issues a user through the API; returns the certificate and the key for a real client.</summary>
    public async Task<(string Cert, string Key)> UserAsync(string name)
    {
        await EnsureCaAndProfileAsync();
        return await PortalCertificates.IssueWithKeyAsync(this, Admin, name);
    }

    /// <summary>Starts a real OpenVPN server from the profile's server files and registers it, with its own sshd, as a VPN server.</summary>
    public async Task<VpnSite> ServerAsync(string? name = null, string? configDir = null)
    {
        await EnsureCaAndProfileAsync();
        name ??= $"vpn-{Guid.NewGuid():N}"[..12];
        var zip = await Admin.GetAsync($"/api/v1/vpn-profiles/{Profile}/server-files");
        Assert.Equal(HttpStatusCode.OK, zip.StatusCode);
        var files = Zips.Text(await zip.Content.ReadAsByteArrayAsync());
        files["server.conf"] += "client-config-dir ccd\n";
        files["ccd/README"] = "one file per user, written by the portal\n";
        var lab = await OpenVpnLab.StartFromServerFilesAsync(files);
        lock (_labs) _labs.Add(lab);
        var sshd = await SshdAsync();
        var host = await AddHostAsync(sshd, user: "root");
        var created = await Admin.PostAsJsonAsync("/api/v1/vpn-servers", new
        {
            name, host, profile = Profile, configDir = configDir ?? lab.Directory, runMode = "daemon", managementSocket = lab.ManagementSocket,
        });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return new VpnSite(name, lab, sshd, host);
    }

    public async Task<JsonElement> CrlStatusAsync(string server) =>
        await Admin.GetFromJsonAsync<JsonElement>($"/api/v1/vpn-servers/{server}/crl");

    /// <summary>Polls the server's CRL state until <paramref name="done"/> holds (bounded); returns the last answer.</summary>
    public async Task<JsonElement> WaitCrlAsync(string server, Func<JsonElement, bool> done, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var status = await CrlStatusAsync(server);
            if (done(status)) return status;
            if (DateTime.UtcNow > deadline) return status;
            await Task.Delay(50);
        }
    }

    protected override async Task DisposePeersAsync()
    {
        foreach (var lab in _labs) await lab.DisposeAsync();
    }
}
