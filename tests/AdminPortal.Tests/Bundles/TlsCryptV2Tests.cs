using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AdminPortal.Pki;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.Bundles;

/// <summary>
/// tls-crypt-v2 profiles: the server files of such a profile start a real OpenVPN 2.6 server, client profiles downloaded
/// through the API connect to it, each carrying its own client key; the key formats agree with the openvpn binary's own
/// (it loads our server key and wraps a client key we unwrap; our client keys pass its server's unwrap and tag check).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed partial class TlsCryptV2Tests(KestrelPortal app) : IClassFixture<KestrelPortal>
{
    [GeneratedRegex("<tls-crypt-v2>\n(?<key>[^<]+)</tls-crypt-v2>")]
    private static partial Regex InlineClientKey();

    [Fact]
    public async Task A_tls_crypt_v2_profile_serves_a_real_server_and_every_users_profile_connects_with_its_own_client_key()
    {
        var admin = await app.HttpTokenClientAsync(Roles.Admin);
        var helpdesk = await app.HttpTokenClientAsync(Roles.Helpdesk);
        await EnsureCaAsync(admin);
        foreach (var name in new[] { "carol", "dave" })
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/vpn-users", new { name })).StatusCode);
        var created = await admin.PostAsJsonAsync("/api/v1/vpn-profiles",
            new { name = "v2corp", remoteHost = "127.0.0.1", port = OpenVpnLab.DefaultPort, protocol = "tcp", controlChannel = "tls-crypt-v2" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("tls-crypt-v2", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("controlChannel").GetString());

        var zip = await admin.GetAsync("/api/v1/vpn-profiles/v2corp/server-files");
        Assert.Equal(HttpStatusCode.OK, zip.StatusCode);
        var files = Zips.Text(await zip.Content.ReadAsByteArrayAsync());
        Assert.Contains("\ntls-crypt-v2 tls-crypt.key\n", files["server.conf"]);
        Assert.DoesNotContain("\ntls-crypt tls-crypt.key", files["server.conf"]);
        var serverKey = files["tls-crypt.key"];
        Assert.StartsWith("-----BEGIN OpenVPN tls-crypt-v2 server key-----\n", serverKey);
        await using var lab = await OpenVpnLab.StartFromServerFilesAsync(files);

        var carol = await OvpnAsync(helpdesk, "carol");
        var dave = await OvpnAsync(helpdesk, "dave");
        foreach (var ovpn in new[] { carol, dave })
        {
            Assert.Contains("-----BEGIN OpenVPN tls-crypt-v2 client key-----", ovpn);
            Assert.DoesNotContain("server key", ovpn);
            Assert.DoesNotContain("<tls-crypt>", ovpn);
            Assert.DoesNotContain("Static key", ovpn);
        }
        var carolKey = InlineClientKey().Match(carol).Groups["key"].Value;
        var daveKey = InlineClientKey().Match(dave).Groups["key"].Value;
        Assert.NotEqual(carolKey, daveKey);

        // Each key unwraps under the profile's server key, to a different Kc, with its user's certificate serial as metadata (type 0).
        var (carolKc, carolMeta) = TlsCryptV2.Unwrap(serverKey, carolKey);
        var (daveKc, daveMeta) = TlsCryptV2.Unwrap(serverKey, daveKey);
        Assert.NotEqual(carolKc, daveKc);
        Assert.Equal(TlsCryptV2.UserMetadata(await SerialAsync(admin, "carol")), carolMeta);
        Assert.Equal(TlsCryptV2.UserMetadata(await SerialAsync(admin, "dave")), daveMeta);

        var carolConnects = await lab.ConnectWithProfileAsync(carol);
        Assert.True(carolConnects.Connected, carolConnects.ToString());
        Assert.Equal("carol", carolConnects.CommonName);
        var daveConnects = await lab.ConnectWithProfileAsync(dave);
        Assert.True(daveConnects.Connected, daveConnects.ToString());
        Assert.True(lab.ServerLogCount("Control Channel: using tls-crypt-v2 key") >= 2, lab.ServerLogTail());

        // A client key wrapped by some other server key is refused by the real server's unwrap.
        var foreign = TlsCryptV2.NewClientKey(TlsCryptV2.NewServerKey(), TlsCryptV2.UserMetadata("00"));
        var forged = await lab.ConnectWithProfileAsync(carol.Replace(carolKey, foreign), timeout: TimeSpan.FromSeconds(8));
        Assert.False(forged.Connected, forged.ToString());
        Assert.True(lab.ServerLogCount("Can not unwrap tls-crypt-v2 client key") >= 1, lab.ServerLogTail());

        // The profile list shows the mode and no key; the creation event names the mode and holds no key material.
        var list = await helpdesk.GetStringAsync("/api/v1/vpn-profiles");
        Assert.Contains("\"controlChannel\":\"tls-crypt-v2\"", list);
        Assert.DoesNotContain("BEGIN", list);
        await using var db = await app.DbAsync();
        var createdEvent = await db.AuditEvents.SingleAsync(e => e.Action == "vpn.profile.created" && e.Target == "vpn-profile:v2corp");
        Assert.Contains("tls-crypt-v2", createdEvent.Details);
        Assert.DoesNotContain("BEGIN", createdEvent.Details);

        // A compromised server rotates the profile's server key (still tls-crypt-v2): old client keys no longer unwrap, new ones do.
        var compromised = await admin.PostAsJsonAsync("/api/v1/vpn-profiles/v2corp/compromised", new { confirm = "v2corp", resendLinks = false });
        Assert.Equal(HttpStatusCode.OK, compromised.StatusCode);
        var rotated = Zips.Text(await admin.GetByteArrayAsync("/api/v1/vpn-profiles/v2corp/server-files"));
        Assert.StartsWith("-----BEGIN OpenVPN tls-crypt-v2 server key-----\n", rotated["tls-crypt.key"]);
        Assert.NotEqual(serverKey, rotated["tls-crypt.key"]);
        Assert.Contains("\ntls-crypt-v2 tls-crypt.key\n", rotated["server.conf"]);
        Assert.Throws<System.Security.Cryptography.CryptographicException>(() => TlsCryptV2.Unwrap(rotated["tls-crypt.key"], carolKey));
        var carolAfter = InlineClientKey().Match(await OvpnAsync(helpdesk, "carol")).Groups["key"].Value;
        Assert.Equal(TlsCryptV2.UserMetadata(await SerialAsync(admin, "carol")), TlsCryptV2.Unwrap(rotated["tls-crypt.key"], carolAfter).Metadata);
    }

    [Fact]
    public async Task Our_server_key_is_loaded_by_openvpn_and_its_client_key_matches_ours_in_armour_length_and_wrapping()
    {
        var dir = Directory.CreateTempSubdirectory("tls-crypt-v2-").FullName;
        try
        {
            var ours = TlsCryptV2.NewServerKey();
            await File.WriteAllTextAsync(Path.Combine(dir, "server.key"), ours);
            // openvpn reads our server key, wraps a client key with it and checks that it unwraps again (it exits non-zero otherwise).
            await Proc.CheckedAsync("openvpn", ["--tls-crypt-v2", Path.Combine(dir, "server.key"), "--genkey", "tls-crypt-v2-client", Path.Combine(dir, "client.key")],
                timeout: TimeSpan.FromSeconds(20));
            var theirs = await File.ReadAllTextAsync(Path.Combine(dir, "client.key"));

            // We unwrap openvpn's client key (tag checked, Kc as its first 256 bytes, its default timestamp metadata).
            var (_, metadata) = TlsCryptV2.Unwrap(ours, theirs);
            Assert.Equal(9, metadata.Length);
            Assert.Equal(TlsCryptV2.MetadataTimestamp, metadata[0]);
            var stamp = DateTimeOffset.FromUnixTimeSeconds(System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(metadata.AsSpan(1)));
            Assert.InRange(stamp, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));

            // Ours with the same metadata has the same armour and line layout (555 bytes: Kc 256 + tag 32 + 256 + 9 + length 2).
            var mine = TlsCryptV2.NewClientKey(ours, TlsCryptV2.TimestampMetadata(DateTimeOffset.UtcNow));
            Assert.Equal(theirs.Split('\n').Select(l => l.StartsWith("-----", StringComparison.Ordinal) ? l : l.Length.ToString()),
                mine.Split('\n').Select(l => l.StartsWith("-----", StringComparison.Ordinal) ? l : l.Length.ToString()));
            Assert.Equal(555, Convert.FromBase64String(string.Concat(mine.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)))).Length);

            // openvpn's own server key works with our client keys too.
            await Proc.CheckedAsync("openvpn", ["--genkey", "tls-crypt-v2-server", Path.Combine(dir, "theirs.key")], timeout: TimeSpan.FromSeconds(20));
            var theirServer = await File.ReadAllTextAsync(Path.Combine(dir, "theirs.key"));
            Assert.Equal(theirServer.Split('\n').Select(l => l.StartsWith("-----", StringComparison.Ordinal) ? l : l.Length.ToString()),
                ours.Split('\n').Select(l => l.StartsWith("-----", StringComparison.Ordinal) ? l : l.Length.ToString()));
            var wrapped = TlsCryptV2.NewClientKey(theirServer, TlsCryptV2.UserMetadata("0A1B"));
            Assert.Equal(TlsCryptV2.UserMetadata("0A1B"), TlsCryptV2.Unwrap(theirServer, wrapped).Metadata);
            Assert.Throws<System.Security.Cryptography.CryptographicException>(() => TlsCryptV2.Unwrap(ours, wrapped));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("tls-crypt-v3")]
    [InlineData("TLS-CRYPT-V2")]
    [InlineData("tls-auth")]
    [InlineData("")]
    public async Task An_unknown_control_channel_is_a_400_problem_and_nothing_is_created(string mode)
    {
        var admin = await app.HttpTokenClientAsync(Roles.Admin);
        await EnsureCaAsync(admin);
        var name = $"p{Guid.NewGuid():N}"[..10];
        var r = await admin.PostAsJsonAsync("/api/v1/vpn-profiles", new { name, remoteHost = "vpn.example.test", port = 1194, protocol = "udp", controlChannel = mode });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.True((await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("controlChannel", out _));
        await using var db = await app.DbAsync();
        Assert.False(await db.VpnProfiles.AnyAsync(p => p.Name == name));
        Assert.False(await db.Certificates.AnyAsync(c => c.Profile == name));
        Assert.False(await db.AuditEvents.AnyAsync(e => e.Target == $"vpn-profile:{name}"));
    }

    [Fact]
    public async Task A_profile_without_a_control_channel_stays_tls_crypt_with_one_shared_key()
    {
        var admin = await app.HttpTokenClientAsync(Roles.Admin);
        var helpdesk = await app.HttpTokenClientAsync(Roles.Helpdesk);
        await EnsureCaAsync(admin);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/vpn-profiles", new { name = "v1corp", remoteHost = "vpn.example.test", port = 1194, protocol = "udp" })).StatusCode);
        foreach (var name in new[] { "erin", "frank" })
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/vpn-users", new { name })).StatusCode);
        var files = Zips.Text(await admin.GetByteArrayAsync("/api/v1/vpn-profiles/v1corp/server-files"));
        Assert.Contains("\ntls-crypt tls-crypt.key\n", files["server.conf"]);
        Assert.DoesNotContain("tls-crypt-v2", files["server.conf"]);
        Assert.Contains("-----BEGIN OpenVPN Static key V1-----", files["tls-crypt.key"]);
        var erin = await OvpnAsync(helpdesk, "erin", "v1corp");
        var frank = await OvpnAsync(helpdesk, "frank", "v1corp");
        var shared = files["tls-crypt.key"].Trim();
        Assert.Contains($"<tls-crypt>\n{shared}\n</tls-crypt>", erin);
        Assert.Contains($"<tls-crypt>\n{shared}\n</tls-crypt>", frank);
        Assert.DoesNotContain("tls-crypt-v2", erin);
    }

    private static async Task EnsureCaAsync(HttpClient admin)
    {
        if ((await admin.GetAsync("/api/v1/ca")).StatusCode != HttpStatusCode.NotFound) return;
        var r = await admin.PostAsJsonAsync("/api/v1/ca", new { name = "TlsCryptV2-CA" });
        Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, await r.Content.ReadAsStringAsync());
    }

    private static async Task<string> OvpnAsync(HttpClient helpdesk, string user, string profile = "v2corp")
    {
        var r = await helpdesk.GetAsync($"/api/v1/vpn-users/{user}/bundle?profile={profile}&platform=ovpn");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return Encoding.UTF8.GetString(await r.Content.ReadAsByteArrayAsync());
    }

    private static async Task<string> SerialAsync(HttpClient admin, string user) =>
        (await (await admin.GetAsync($"/api/v1/vpn-users/{user}")).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("certificates")[0].GetProperty("serial").GetString()!;
}
