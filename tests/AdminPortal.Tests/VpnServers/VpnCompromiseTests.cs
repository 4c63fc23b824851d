using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using AdminPortal.Tests.Email;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.Security;

namespace AdminPortal.Tests.VpnServers;

/// <summary>A compromised server: the profile's server certificate is revoked and replaced, the tls-crypt key rotated, servers republished, users re-sent links.</summary>
[SupportedOSPlatform("linux")]
public sealed class VpnCompromiseTests(VpnServerLab lab) : IClassFixture<VpnServerLab>, IAsyncLifetime
{
    /// <summary>A second portal on the same database and data directory (another instance behind the load balancer).</summary>
    private sealed class SecondInstance(PortalApp first) : PortalApp(first.Database, first.DataDirectory);

    public Task InitializeAsync() => lab.EnsureProfileAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Compromised_flow_revokes_and_replaces_the_material_republishes_and_only_the_emailed_new_profile_connects()
    {
        await using var sink = await SmtpSink.StartAsync();
        await EmailPortal.ConfigureSmtpAsync(lab.Admin, sink.Port);
        var (host, hostName) = await lab.VpnHostAsync();
        var server = await lab.AddServerAsync(host, hostName);
        Assert.Equal("succeeded", (await lab.PublishAsync(server)).GetProperty("status").GetString());
        var user = $"cu-{Guid.NewGuid():N}"[..10];
        var email = $"{user}@example.test";
        Assert.Equal(HttpStatusCode.Created, (await lab.Admin.PostAsJsonAsync("/api/v1/vpn-users", new { name = user, email })).StatusCode);
        var noEmail = $"ne-{Guid.NewGuid():N}"[..10];
        Assert.Equal(HttpStatusCode.Created, (await lab.Admin.PostAsJsonAsync("/api/v1/vpn-users", new { name = noEmail })).StatusCode);
        var oldOvpn = await OvpnAsync(lab.Admin, user);
        // Another instance holds the profile's material in its cache too.
        using var second = new SecondInstance(lab);
        var secondAdmin = await second.TokenClientAsync(Roles.Admin);
        Assert.Equal(TlsCrypt(oldOvpn), TlsCrypt(await OvpnAsync(secondAdmin, user)));
        await using (var before = await host.StartClientAsync(oldOvpn)) Assert.True(before.Connected, $"{before}\n{host.ServerLog()}");
        var oldSerial = await ServerSerialAsync();
        var oldDeployedCert = await File.ReadAllTextAsync(Path.Combine(host.ConfigDir, "server.crt"));
        var url = $"/api/v1/vpn-profiles/{VpnServerLab.Profile}/compromised";

        // Bad input: nothing changes.
        Assert.Equal(HttpStatusCode.NotFound, (await lab.Admin.PostAsJsonAsync("/api/v1/vpn-profiles/no-such-profile/compromised", new { confirm = "no-such-profile" })).StatusCode);
        var unconfirmed = await lab.Admin.PostAsJsonAsync(url, new { resendLinks = true });
        Assert.Equal(HttpStatusCode.BadRequest, unconfirmed.StatusCode);
        Assert.Contains("confirm", await unconfirmed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await lab.Admin.PostAsJsonAsync(url, new { confirm = "wrong" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await lab.Admin.PostAsJsonAsync(url, new { confirm = VpnServerLab.Profile, reason = "bogus" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await lab.Admin.PostAsJsonAsync(url, new { confirm = VpnServerLab.Profile, platform = "amiga" })).StatusCode);
        Assert.Equal(oldSerial, await ServerSerialAsync());

        var response = await lab.Admin.PostAsJsonAsync(url, new { confirm = VpnServerLab.Profile, resendLinks = true });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        var newSerial = result.GetProperty("newServerSerial").GetString()!;
        Assert.NotEqual(oldSerial, newSerial);
        Assert.Equal(oldSerial, result.GetProperty("oldServerSerial").GetString());
        Assert.Equal(newSerial, await ServerSerialAsync());
        Assert.Contains(noEmail, result.GetProperty("usersWithoutEmail").EnumerateArray().Select(u => u.GetString()));
        Assert.True(result.GetProperty("linksSent").GetInt32() >= 1, result.ToString());

        // The old server certificate is on the CRL (read with openssl).
        var crl = await lab.CreateClient().GetStringAsync("/pki/crl.pem");
        Assert.Contains(oldSerial.TrimStart('0').ToUpperInvariant(), (await OpensslCrlAsync(crl)).ToUpperInvariant());

        // The server was republished (the run went through every publish step) with the new files.
        var runId = result.GetProperty("publishRuns").EnumerateArray().Single(r => r.GetProperty("server").GetString() == server).GetProperty("runId").GetGuid();
        var run = await lab.WaitAsync(runId, TimeSpan.FromSeconds(180));
        Assert.True(run.GetProperty("status").GetString() == "succeeded", $"{run}\n{host.ServerLog()}");
        Assert.NotEqual(oldDeployedCert, await File.ReadAllTextAsync(Path.Combine(host.ConfigDir, "server.crt")));

        // The old .ovpn no longer connects (its tls-crypt key is gone); the bundle API serves the new material at once.
        await using (var old = await host.StartClientAsync(oldOvpn)) Assert.False(old.Connected, $"{old}\n{host.ServerLog()}");
        var fresh = await OvpnAsync(lab.Admin, user);
        Assert.NotEqual(TlsCrypt(oldOvpn), TlsCrypt(fresh));
        Assert.Equal(TlsCrypt(fresh), TlsCrypt(await OvpnAsync(secondAdmin, user)));
        Assert.Equal(TlsCrypt(fresh), (await File.ReadAllTextAsync(Path.Combine(host.ConfigDir, "tls-crypt.key"))).Trim());

        // The emailed link gives a profile that connects.
        var mail = await sink.WaitForAsync(email, "/d/");
        var link = mail.TextBody!.Split(['\n', ' ', '\r'], StringSplitOptions.RemoveEmptyEntries).First(w => w.Contains("/d/", StringComparison.Ordinal));
        var emailed = await lab.CreateClient().GetAsync(new Uri(link).AbsolutePath + "/profile.ovpn");
        Assert.True(emailed.StatusCode == HttpStatusCode.OK, await emailed.Content.ReadAsStringAsync());
        var emailedOvpn = await emailed.Content.ReadAsStringAsync();
        Assert.Equal(TlsCrypt(fresh), TlsCrypt(emailedOvpn));
        await using (var after = await host.StartClientAsync(emailedOvpn)) Assert.True(after.Connected, $"{after}\n{host.ServerLog()}");

        // Every step audited.
        var audit = (await lab.Admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?limit=200")).ToString();
        foreach (var action in (string[])["vpn.profile.compromised", "vpn.server.publish.started", "vpn.server.publish.finished", "bundle.link.created"])
            Assert.Contains(action, audit);
        Assert.Contains(newSerial, audit);
    }

    private static async Task<string> OvpnAsync(HttpClient admin, string user)
    {
        var bundle = await admin.GetAsync($"/api/v1/vpn-users/{user}/bundle?profile={VpnServerLab.Profile}&platform=ovpn");
        Assert.True(bundle.StatusCode == HttpStatusCode.OK, await bundle.Content.ReadAsStringAsync());
        return await bundle.Content.ReadAsStringAsync();
    }

    private async Task<string> ServerSerialAsync() =>
        (await lab.Admin.GetFromJsonAsync<JsonElement>("/api/v1/vpn-profiles")).EnumerateArray()
        .Single(p => p.GetProperty("name").GetString() == VpnServerLab.Profile).GetProperty("serverSerial").GetString()!;

    private static string TlsCrypt(string ovpn)
    {
        var start = ovpn.IndexOf("<tls-crypt>", StringComparison.Ordinal) + "<tls-crypt>".Length;
        return ovpn[start..ovpn.IndexOf("</tls-crypt>", StringComparison.Ordinal)].Trim();
    }

    private static async Task<string> OpensslCrlAsync(string pem)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, pem);
            using var p = Process.Start(new ProcessStartInfo("openssl", ["crl", "-noout", "-text", "-in", file]) { RedirectStandardOutput = true })!;
            var text = await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            return text;
        }
        finally { File.Delete(file); }
    }
}
