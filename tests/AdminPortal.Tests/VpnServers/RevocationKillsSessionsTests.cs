using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using AdminPortal.Pki;
using AdminPortal.Testing;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.VpnServers;

[SupportedOSPlatform("linux")]
public sealed class TwoTierVpnLab : VpnCrlLab
{
    protected override bool TwoTier => true;
}

/// <summary>
/// Revoking a connected user through the API, with the portal managing real OpenVPN servers over SSH: the CRL reaches
/// every server without a restart, the user's live session is ended (the client exits), a reconnect is rejected as
/// "certificate revoked", and another user still connects. Root-only CA: no signal at all; two-tier CA: one SIGHUP.
/// </summary>
[SupportedOSPlatform("linux")]
public abstract class RevocationKillsSessionsTests(VpnCrlLab lab)
{
    protected abstract bool ExpectSighup { get; }

    [Fact]
    public async Task Revoking_a_connected_user_ends_the_session_and_every_server_then_rejects_the_user_without_a_restart()
    {
        var sites = await Task.WhenAll(lab.ServerAsync(), lab.ServerAsync());
        var alice = await lab.UserAsync("alice");
        var bob = await lab.UserAsync("bob");
        var pids = sites.Select(s => s.Lab.ServerPid).ToArray();
        var sessions = new List<Peers.VpnTestClient>();
        try
        {
            foreach (var site in sites)
            {
                var session = await site.Lab.StartSessionAsync(alice.Cert, alice.Key);
                sessions.Add(session);
                Assert.True(session.Connected, session.ToString());
            }

            var revoke = await lab.Admin.PostAsJsonAsync("/api/v1/vpn-users/alice/revoke", new { reason = "keyCompromise" });
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);

            foreach (var (session, site) in sessions.Zip(sites))
                Assert.True(await session.WaitExitAsync(TimeSpan.FromSeconds(20)), $"alice's session on {site.Name} is still up: {session}\n{site.Lab.ServerLogTail()}");
            var ca = await lab.Admin.GetFromJsonAsync<JsonElement>("/api/v1/ca");
            var number = (ca.TryGetProperty("intermediate", out var i) && i.ValueKind == JsonValueKind.Object ? i : ca).GetProperty("crl").GetProperty("number").GetInt64();
            foreach (var site in sites)
            {
                var status = await lab.WaitCrlAsync(site.Name, s => s.GetProperty("state").GetString() == "ok"
                    && s.GetProperty("deployedCrlNumbers").GetString()!.Split(',')[0] == number.ToString());
                Assert.True(status.GetProperty("state").GetString() == "ok", status.ToString());
                Assert.NotEqual(JsonValueKind.Null, status.GetProperty("pushedAt").ValueKind);
                // What OpenVPN reads: the current CRL of every CA, readable by the user it drops to.
                var deployed = CrlFacts.ReadPem(await File.ReadAllTextAsync(site.Lab.CrlPath));
                Assert.Equal(number, deployed[0].Number);
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(site.Lab.CrlPath));

                if (ExpectSighup) await WaitReinitializedAsync(site);
                var again = await site.Lab.ConnectAsync(alice.Cert, alice.Key);
                Assert.True(again.Outcome == Peers.OpenVpnOutcome.Rejected, again.ToString());
                Assert.Contains("certificate revoked", again.Reason);
                var other = await site.Lab.ConnectAsync(bob.Cert, bob.Key);
                Assert.True(other.Connected, other.ToString());
            }

            foreach (var (site, pid) in sites.Zip(pids))
            {
                Assert.True(site.Lab.ServerRunning);
                Assert.Equal(pid, site.Lab.ServerPid); // never restarted
                Assert.Equal(ExpectSighup ? 1 : 0, site.Lab.ServerLogCount("SIGHUP[hard,"));
            }

            await using var db = await lab.DbAsync();
            foreach (var site in sites)
            {
                var target = $"vpn-server:{site.Name}";
                Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "vpn.server.crl.pushed" && e.Target == target && e.Outcome == "success"));
                var killed = await db.AuditEvents.SingleAsync(e => e.Action == "vpn.server.sessions.killed" && e.Target == target);
                Assert.Equal("success", killed.Outcome);
                Assert.Contains("alice", killed.Details);
            }
        }
        finally
        {
            foreach (var s in sessions) await s.DisposeAsync();
        }
    }

    /// <summary>After a SIGHUP the server restarts inside its process: wait (bounded) for its second "Initialization Sequence Completed".</summary>
    private static async Task WaitReinitializedAsync(VpnSite site)
    {
        await Eventually.Async(() => site.Lab.ServerLogCount("Initialization Sequence Completed"), n => n >= 2,
            "a second \"Initialization Sequence Completed\" in the server log (the count is what was seen)");
    }
}

[SupportedOSPlatform("linux")]
public sealed class RootCaRevocationTests(VpnCrlLab lab) : RevocationKillsSessionsTests(lab), IClassFixture<VpnCrlLab>
{
    protected override bool ExpectSighup => false;
}

[SupportedOSPlatform("linux")]
public sealed class TwoTierRevocationTests(TwoTierVpnLab lab) : RevocationKillsSessionsTests(lab), IClassFixture<TwoTierVpnLab>
{
    protected override bool ExpectSighup => true;
}
