using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using AdminPortal.Tests.Bundles;
using AdminPortal.Tests.Hosts;
using AdminPortal.Tests.Peers;

namespace AdminPortal.Tests.Browser;

/// <summary>
/// What the user journeys start from: the portal's CA and a tcp profile on 127.0.0.1:1194, and one OpenVPN server the portal
/// published (through the API, as an Admin did before the journey) into a network namespace of the test's own over a private
/// sshd (<see cref="VpnHostLab"/>). Disposing stops the server's namespace (every process in it by PID) and the sshd.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class JourneyVpnServer : IAsyncDisposable
{
    public const string Profile = "office";
    private readonly SshdServer _sshd;

    private JourneyVpnServer(SshdServer sshd, VpnHostLab lab, string name, string host) => (_sshd, Lab, Name, Host) = (sshd, lab, name, host);

    public VpnHostLab Lab { get; }
    public string Name { get; }
    public string Host { get; }

    public static async Task<JourneyVpnServer> PublishAsync(HttpClient admin, string name)
    {
        await BundleSetup.EnsureCaAndProfileAsync(admin, "Journey-CA", new { name = Profile, remoteHost = "127.0.0.1", port = 1194, protocol = "tcp" });
        var sshd = await SshdServer.StartAsync();
        VpnHostLab? lab = null;
        try
        {
            var credential = await Json(await admin.PostAsJsonAsync("/api/v1/credentials", new { name = $"{name}-key" }), HttpStatusCode.Created);
            sshd.Authorize("root", credential.GetProperty("publicKey").GetString()!);
            var host = $"{name}-host";
            await Json(await admin.PostAsJsonAsync("/api/v1/hosts", new
            {
                name = host, address = "127.0.0.1", port = sshd.Port, user = "root", credential = $"{name}-key", fingerprint = await sshd.FingerprintAsync(),
            }), HttpStatusCode.Created);
            lab = await VpnHostLab.StartAsync(sshd);
            await Json(await admin.PostAsJsonAsync("/api/v1/vpn-servers", new
            {
                name, host, profile = Profile, configDir = lab.ConfigDir, runMode = "daemon", netNamespace = lab.Namespace,
            }), HttpStatusCode.Created);
            var started = await Json(await admin.PostAsync($"/api/v1/vpn-servers/{name}/publish", null), HttpStatusCode.Accepted);
            var run = await SshLab.WaitAsync(admin, started.GetProperty("runId").GetGuid(), TimeSpan.FromSeconds(180));
            Assert.True(run.GetProperty("status").GetString() == "succeeded", $"{run}\n{lab.ServerLog()}");
            return new JourneyVpnServer(sshd, lab, name, host);
        }
        catch
        {
            if (lab is not null) await lab.DisposeAsync();
            await sshd.DisposeAsync();
            throw;
        }
    }

    /// <summary>Issues a VPN user through the API and returns their unified profile for <see cref="Profile"/>.</summary>
    public static async Task<string> IssueAsync(HttpClient admin, string user)
    {
        await Json(await admin.PostAsJsonAsync("/api/v1/vpn-users", new { name = user, email = $"{user}@example.test" }), HttpStatusCode.Created);
        return await admin.GetStringAsync($"/api/v1/vpn-users/{user}/bundle?profile={Profile}&platform=ovpn");
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        await Lab.DisposeAsync();
        await _sshd.DisposeAsync();
    }
}
