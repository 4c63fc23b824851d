using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using AdminPortal.Data;
using AdminPortal.Data.VpnServers;
using AdminPortal.Pki;
using AdminPortal.Tests.Audit;
using AdminPortal.Tests.Hosts;
using AdminPortal.Tests.Peers;
using AdminPortal.Tests.Security;
using AdminPortal.Web.Pki;
using AdminPortal.Web.VpnServers;
using AdminPortal.Web.VpnServers.Crl;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.VpnServers;

/// <summary>
/// The CRL on a host never goes backwards: CRL pushes and a publish's install write crl.pem under the publishes' lock and compare
/// the cRLNumber with the one recorded there (<see cref="PublishScripts.CrlNumberFile"/>; the portal decides, the host writes only if that
/// record is unchanged). Real sshd, real OpenVPN; a publish
/// that rendered before a revocation is held (a row lock on its run) until the newer CRL was pushed.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class CrlFenceTests(VpnServerLab lab) : IClassFixture<VpnServerLab>, IAsyncLifetime
{
    public Task InitializeAsync() => lab.EnsureProfileAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static string CrlPath(VpnHostLab host) => Path.Combine(host.ConfigDir, "crl.pem");

    /// <summary>The number of the host's crl.pem, by <c>openssl crl -noout -crlnumber</c> run here on the file.</summary>
    private static async Task<long> OpensslNumberAsync(VpnHostLab host)
    {
        var psi = new ProcessStartInfo("openssl", ["crl", "-noout", "-crlnumber", "-in", CrlPath(host)]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var text = (await p.StandardOutput.ReadToEndAsync()).Trim();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0 && text.StartsWith("crlNumber=", StringComparison.Ordinal), text);
        return Convert.ToInt64(text["crlNumber=".Length..], 16);
    }

    private async Task<long> CurrentNumberAsync()
    {
        await using var db = await lab.Service<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var ca = await db.CertificateAuthorities.AsNoTracking().IssuingFirstAsync(default);
        return CrlFacts.Read(ca[0].CrlDer!).Number;
    }

    /// <summary>Revokes a fresh user (a new CRL); returns its number.</summary>
    private async Task<long> RevokeAsync()
    {
        var user = $"user-{Guid.NewGuid():N}"[..13];
        Assert.Equal(HttpStatusCode.Created, (await lab.Admin.PostAsJsonAsync("/api/v1/vpn-users", new { name = user })).StatusCode);
        var before = await CurrentNumberAsync();
        Assert.Equal(HttpStatusCode.OK, (await lab.Admin.PostAsJsonAsync($"/api/v1/vpn-users/{user}/revoke", new { reason = "keyCompromise" })).StatusCode);
        var after = await CurrentNumberAsync();
        Assert.True(after > before, $"{after} after {before}");
        return after;
    }

    private async Task<JsonElement> PushAsync(string server)
    {
        var r = await lab.Admin.PostAsync($"/api/v1/vpn-servers/{server}/crl", null);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var result = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(result.GetProperty("problem").ValueKind == JsonValueKind.Null, $"{result}");
        return result;
    }

    private static string? Unchanged(JsonElement push) => push.GetProperty("unchanged").GetString();

    [Fact]
    public async Task A_publish_rendered_before_a_revocation_keeps_the_newer_crl_pushed_meanwhile_and_installs_its_other_files()
    {
        var (host, hostName) = await lab.VpnHostAsync();
        var server = await lab.AddServerAsync(host, hostName);
        Assert.Equal("succeeded", (await lab.PublishAsync(server)).GetProperty("status").GetString());
        var older = await OpensslNumberAsync(host);

        // The publish (A) renders a new directive and the current CRL, then waits on its run's row while a revocation's CRL is pushed.
        var set = await lab.Admin.PutAsJsonAsync($"/api/v1/vpn-servers/{server}/directives", new { serverDirectives = new[] { "tun-mtu 1400" } });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var startedA = await lab.Admin.PostAsync($"/api/v1/vpn-servers/{server}/publish", null);
        Assert.True(startedA.StatusCode == HttpStatusCode.Accepted, await startedA.Content.ReadAsStringAsync());
        var runA = (await startedA.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();
        long newer;
        byte[] pushedBytes;
        await using (var db = await lab.Service<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        await using (var held = await db.Database.BeginTransactionAsync())
        {
            await db.Database.ExecuteSqlAsync($"""SELECT 1 FROM action_runs WHERE "Id" = {runA} FOR UPDATE""");
            newer = await RevokeAsync();
            await PushAsync(server);
            Assert.Equal(newer, await OpensslNumberAsync(host));
            pushedBytes = await File.ReadAllBytesAsync(CrlPath(host));
            await held.RollbackAsync();
        }
        Assert.True(newer > older, $"{newer} / {older}");

        var a = await lab.WaitAsync(runA, TimeSpan.FromSeconds(180));
        Assert.True(a.GetProperty("status").GetString() == "succeeded", $"{a}\n{host.ServerLog()}");
        var output = SshLab.Host(a, hostName).GetProperty("output").GetString()!;
        Assert.Contains($"kept the installed crl.pem (CRL number {newer}): this publish's CRL (number {older}) is older", output);
        Assert.Equal(pushedBytes, await File.ReadAllBytesAsync(CrlPath(host)));
        Assert.Equal(newer, await OpensslNumberAsync(host));
        Assert.Contains("tun-mtu 1400", await File.ReadAllTextAsync(Path.Combine(host.ConfigDir, "server.conf")));
        Assert.NotNull(await host.ServerPidAsync());
        Assert.Empty(Directory.GetDirectories(host.ConfigDir, ".staged*"));
        Assert.Equal(newer, CrlFacts.ReadPem(await File.ReadAllTextAsync(CrlPath(host)))[0].Number);

        // The monitor's view agrees: the server has the current CRL.
        var again = await PushAsync(server);
        Assert.Equal($"{PublishScripts.CrlAlreadyInstalled} {newer}; crl.pem unchanged (the pushed CRL is number {newer})", Unchanged(again));
        Assert.Equal("ok", again.GetProperty("state").GetString());
        var verify = await AuditVerifyResult.GetAsync(lab.Admin);
        Assert.True(verify.Ok, verify.Problem);
    }

    [Fact]
    public async Task An_older_crl_pushed_after_a_newer_one_changes_nothing_and_reports_the_number_installed()
    {
        var (host, hostName) = await lab.VpnHostAsync();
        var server = await lab.AddServerAsync(host, hostName);
        Assert.Equal("succeeded", (await lab.PublishAsync(server)).GetProperty("status").GetString());
        var olderPem = await File.ReadAllTextAsync(CrlPath(host));
        var newer = await RevokeAsync();
        await PushAsync(server); // the revocation's own distribution may have been first: either installs it
        var newerBytes = await File.ReadAllBytesAsync(CrlPath(host));
        var mtime = File.GetLastWriteTimeUtc(CrlPath(host));
        Assert.Equal(newer, await OpensslNumberAsync(host));

        // A late push of the older CRL (as a distribution that loaded it before the revocation would send), through the real sshd.
        VpnServer row;
        await using (var db = await lab.Service<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
            row = await db.VpnServers.AsNoTracking().Include(s => s.Host).SingleAsync(s => s.Name == server);
        var stamp = CrlStamp.OfPem(olderPem)!;
        Assert.True(stamp.Crls[0].Number < newer);
        var late = await lab.Service<RemoteFiles>().PushCrlAsync(VpnManagement.Target(row.Host!)!, row.ConfigDir, stamp, olderPem, default);
        Assert.True(late.Ok, late.Problem);
        Assert.Contains($"{PublishScripts.CrlAlreadyInstalled} {newer}; crl.pem unchanged (the pushed CRL is number {stamp.Numbers})", late.Output);
        Assert.Equal(newerBytes, await File.ReadAllBytesAsync(CrlPath(host)));
        Assert.Equal(mtime, File.GetLastWriteTimeUtc(CrlPath(host)));
        Assert.Equal(newer, await OpensslNumberAsync(host));
        Assert.Empty(Directory.GetFiles(host.ConfigDir, ".*.portal-*.tmp"));
        Assert.Empty(Directory.GetFiles(host.ConfigDir, ".crl.pem.*"));
    }

    [Fact]
    public async Task A_publish_then_newer_pushes_install_each_newer_crl_and_a_repeated_push_reports_it_already_there()
    {
        var (host, hostName) = await lab.VpnHostAsync();
        var server = await lab.AddServerAsync(host, hostName);
        Assert.Equal("succeeded", (await lab.PublishAsync(server)).GetProperty("status").GetString());
        var published = await OpensslNumberAsync(host);
        Assert.True(File.Exists(Path.Combine(host.ConfigDir, PublishScripts.CrlNumberFile)));

        var first = await RevokeAsync();
        await PushAsync(server); // the revocation's own distribution may have been first: either installs it
        Assert.Equal(first, await OpensslNumberAsync(host));
        var second = await RevokeAsync();
        await PushAsync(server); // the revocation's own distribution may have been first: either installs it
        Assert.Equal(second, await OpensslNumberAsync(host));
        Assert.True(second > first && first > published, $"{published} {first} {second}");
        var repeated = await PushAsync(server);
        Assert.StartsWith($"{PublishScripts.CrlAlreadyInstalled} {second};", Unchanged(repeated));
        Assert.Equal("ok", repeated.GetProperty("state").GetString());

        // A publish rendered now carries the same CRL and installs normally; then a newer push still goes in.
        var again = await lab.PublishAsync(server);
        Assert.True(again.GetProperty("status").GetString() == "succeeded", $"{again}\n{host.ServerLog()}");
        Assert.DoesNotContain("kept the installed crl.pem", SshLab.Host(again, hostName).GetProperty("output").GetString());
        Assert.Equal(second, await OpensslNumberAsync(host));
        var third = await RevokeAsync();
        await PushAsync(server); // the revocation's own distribution may have been first: either installs it
        Assert.Equal(third, await OpensslNumberAsync(host));

        var pushes = (await lab.AuditAboutAsync($"vpn-server:{server}")).Where(e => e.Action == "vpn.server.crl.pushed" && e.Details.Contains(PublishScripts.CrlAlreadyInstalled)).ToList();
        Assert.NotEmpty(pushes);
        var verify = await AuditVerifyResult.GetAsync(lab.Admin);
        Assert.True(verify.Ok, verify.Problem);
    }
}
