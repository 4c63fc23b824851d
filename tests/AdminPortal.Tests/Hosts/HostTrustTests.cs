using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Tests.Peers;
using AdminPortal.Tests.Security;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.Hosts;

/// <summary>Hosts, credentials and host-key trust through the API against real sshd servers.</summary>
public sealed class HostTrustTests(SshLab lab) : IClassFixture<SshLab>
{
    [Fact]
    public async Task A_trusted_host_runs_system_info_and_records_exit_code_output_and_last_contact()
    {
        var sshd = await lab.SshdAsync();
        var host = await lab.AddHostAsync(sshd);
        var run = await lab.RunAsync("system.info", new { }, host);
        var result = SshLab.Host(run, host);
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.Equal(0, result.GetProperty("exitCode").GetInt32());
        Assert.Contains("Linux", result.GetProperty("output").GetString());
        Assert.Matches("^[0-9a-f]{64}$", result.GetProperty("outputSha256").GetString()!);
        var listed = (await lab.Admin.GetFromJsonAsync<JsonElement>("/api/v1/hosts")).EnumerateArray().Single(h => h.GetProperty("name").GetString() == host);
        Assert.Equal("trusted", listed.GetProperty("trust").GetString());
        Assert.NotEqual(JsonValueKind.Null, listed.GetProperty("lastContactAt").ValueKind);
        Assert.True(listed.GetProperty("pool").GetProperty("open").GetBoolean());
    }

    [Fact]
    public async Task An_untrusted_host_is_refused_without_connecting()
    {
        var sshd = await lab.SshdAsync();
        var host = await lab.AddHostAsync(sshd, trust: false);
        var run = await lab.RunAsync("system.info", new { }, host);
        var result = SshLab.Host(run, host);
        Assert.Equal("refused", result.GetProperty("status").GetString());
        Assert.Contains("no approved host key", result.GetProperty("message").GetString());
        Assert.Equal(0, sshd.AcceptedConnections());
    }

    [Fact]
    public async Task A_changed_host_key_is_refused_audited_and_shown_until_a_new_key_is_approved()
    {
        var sshd = await lab.SshdAsync();
        var host = await lab.AddHostAsync(sshd);
        Assert.Equal("succeeded", (await lab.RunAsync("system.info", new { }, host)).GetProperty("status").GetString());
        var old = await sshd.FingerprintAsync();
        await sshd.NewHostKeyAsync();
        await sshd.RestartAsync();
        var changed = await sshd.FingerprintAsync();
        var accepted = sshd.AcceptedConnections();

        var run = await lab.RunAsync("system.info", new { }, host);
        var result = SshLab.Host(run, host);
        Assert.Equal("refused", result.GetProperty("status").GetString());
        Assert.Contains(changed, result.GetProperty("message").GetString());
        Assert.Equal(accepted, sshd.AcceptedConnections());

        var shown = await lab.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/hosts/{host}");
        Assert.Equal("mismatch", shown.GetProperty("trust").GetString());
        Assert.Equal(changed, shown.GetProperty("mismatchFingerprint").GetString());
        await using (var db = await lab.DbAsync())
        {
            var audit = await db.AuditEvents.Where(e => e.Action == "host.key.mismatch" && e.Target == $"host:{host}").SingleAsync();
            Assert.Equal("failure", audit.Outcome);
            var details = JsonDocument.Parse(audit.Details).RootElement;
            Assert.Equal(old, details.GetProperty("expectedFingerprint").GetString());
            Assert.Equal(changed, details.GetProperty("presentedFingerprint").GetString());
        }

        var securityLead = await lab.LoginAsync(await lab.CreateOperatorAsync(Roles.SecurityLead));
        var dashboard = WebUtility.HtmlDecode(await securityLead.GetStringAsync("/"));
        Assert.Contains("host-key-alert", dashboard);
        Assert.Contains(changed, dashboard);
        var page = WebUtility.HtmlDecode(await securityLead.GetStringAsync($"/hosts/{host}"));
        Assert.Contains("data-testid=\"mismatch\"", page);
        Assert.Contains(changed, page);

        var trusted = await lab.Admin.PostAsJsonAsync($"/api/v1/hosts/{host}/trust", new { fingerprint = changed });
        Assert.Equal(HttpStatusCode.OK, trusted.StatusCode);
        Assert.Equal("succeeded", (await lab.RunAsync("system.info", new { }, host)).GetProperty("status").GetString());
        await using (var db = await lab.DbAsync())
            Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "host.key.replaced" && e.Target == $"host:{host}"));
    }

    [Fact]
    public async Task A_fingerprint_pasted_in_advance_trusts_the_host_at_once_and_a_wrong_one_is_a_conflict()
    {
        var sshd = await lab.SshdAsync();
        var wrong = await lab.Admin.PostAsJsonAsync("/api/v1/hosts", new
        {
            name = "h-wrong-fp", address = "127.0.0.1", port = sshd.Port, user = SshdServer.TestUser, credential = lab.Credential.Name,
            fingerprint = "SHA256:" + new string('A', 43),
        });
        Assert.Equal(HttpStatusCode.Conflict, wrong.StatusCode);
        var ok = await lab.Admin.PostAsJsonAsync("/api/v1/hosts", new
        {
            name = "h-right-fp", address = "127.0.0.1", port = sshd.Port, user = SshdServer.TestUser, credential = lab.Credential.Name,
            fingerprint = await sshd.FingerprintAsync(),
        });
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        Assert.Equal("succeeded", (await lab.RunAsync("system.info", new { }, "h-right-fp")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_later_approval_of_a_key_the_host_does_not_present_is_a_conflict_that_changes_nothing()
    {
        var sshd = await lab.SshdAsync();
        var host = await lab.AddHostAsync(sshd, trust: false);
        var presented = await sshd.FingerprintAsync();
        var never = "SHA256:" + new string('B', 43);

        var refused = await lab.Admin.PostAsJsonAsync($"/api/v1/hosts/{host}/trust", new { fingerprint = never });

        var problem = await refused.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains(presented, problem.GetProperty("detail").GetString());
        var shown = await lab.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/hosts/{host}");
        Assert.Equal(JsonValueKind.Null, shown.GetProperty("trustedFingerprint").ValueKind);
        Assert.Equal("untrusted", shown.GetProperty("trust").GetString());
        await using (var db = await lab.DbAsync())
            Assert.False(await db.AuditEvents.AnyAsync(e => e.Target == $"host:{host}" && e.Action.StartsWith("host.key.")));

        var approved = await lab.Admin.PostAsJsonAsync($"/api/v1/hosts/{host}/trust", new { fingerprint = presented });
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
    }

    [Fact]
    public async Task After_a_key_change_the_old_key_cannot_be_approved_again_only_the_one_presented_now()
    {
        var sshd = await lab.SshdAsync();
        var host = await lab.AddHostAsync(sshd);
        var old = await sshd.FingerprintAsync();
        await sshd.NewHostKeyAsync();
        await sshd.RestartAsync();
        var changed = await sshd.FingerprintAsync();

        var again = await lab.Admin.PostAsJsonAsync($"/api/v1/hosts/{host}/trust", new { fingerprint = old });

        var problem = await again.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains(changed, problem.GetProperty("detail").GetString());
        Assert.Equal(old, (await lab.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/hosts/{host}")).GetProperty("trustedFingerprint").GetString());
        Assert.Equal(HttpStatusCode.OK, (await lab.Admin.PostAsJsonAsync($"/api/v1/hosts/{host}/trust", new { fingerprint = changed })).StatusCode);
    }

    [Fact]
    public async Task A_host_that_cannot_be_reached_is_approved_only_in_advance_when_it_is_added()
    {
        var sshd = await lab.SshdAsync();
        var fingerprint = await sshd.FingerprintAsync();
        var closedPort = SshdServer.FreePort();
        var inAdvance = await lab.Admin.PostAsJsonAsync("/api/v1/hosts", new
        {
            name = $"adv-{Guid.NewGuid():N}"[..14], address = "127.0.0.1", port = closedPort, user = SshdServer.TestUser, credential = lab.Credential.Name,
            fingerprint,
        });
        Assert.Equal(HttpStatusCode.Created, inAdvance.StatusCode);
        Assert.Equal(fingerprint, (await inAdvance.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("trustedFingerprint").GetString());

        var later = $"late-{Guid.NewGuid():N}"[..14];
        Assert.Equal(HttpStatusCode.Created, (await lab.Admin.PostAsJsonAsync("/api/v1/hosts", new
        {
            name = later, address = "127.0.0.1", port = closedPort, user = SshdServer.TestUser, credential = lab.Credential.Name,
        })).StatusCode);
        var refused = await lab.Admin.PostAsJsonAsync($"/api/v1/hosts/{later}/trust", new { fingerprint });

        var problem = await refused.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("connection refused", problem.GetProperty("detail").GetString());
        Assert.Equal(JsonValueKind.Null, (await lab.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/hosts/{later}")).GetProperty("trustedFingerprint").ValueKind);
    }

    [Fact]
    public async Task A_credential_shows_its_public_key_once_and_stores_the_private_key_only_encrypted()
    {
        var (name, publicKey) = await lab.CreateCredentialAsync();
        Assert.StartsWith("ssh-ed25519 AAAA", publicKey);
        var listed = await lab.Admin.GetStringAsync("/api/v1/credentials");
        Assert.DoesNotContain("PRIVATE", listed);
        await using var db = await lab.DbAsync();
        var row = await db.SshCredentials.SingleAsync(c => c.Name == name);
        Assert.DoesNotContain("OPENSSH", System.Text.Encoding.UTF8.GetString(row.EncryptedPrivateKey));
        Assert.DoesNotContain("PRIVATE", (await db.AuditEvents.Where(e => e.Target == $"credential:{name}").SingleAsync()).Details);
    }

    [Theory]
    [InlineData("ed25519", "openssh", "a passphrase of some length")]
    [InlineData("rsa", "PEM", "another passphrase")]
    [InlineData("ecdsa", "openssh", "")]
    public async Task An_imported_private_key_with_its_passphrase_logs_in_and_a_wrong_passphrase_is_refused(string type, string format, string passphrase)
    {
        var dir = Directory.CreateTempSubdirectory("apimport-").FullName;
        try
        {
            var file = Path.Combine(dir, "key");
            var args = new List<string> { "-q", "-t", type, "-N", passphrase, "-f", file };
            if (format == "PEM") args.AddRange(["-m", "PEM"]);
            await Proc.CheckedAsync("ssh-keygen", args);
            var pem = await File.ReadAllTextAsync(file);
            var name = $"imp-{Guid.NewGuid():N}"[..14];
            var wrong = await lab.Admin.PostAsJsonAsync("/api/v1/credentials", new { name, privateKeyPem = pem, passphrase = passphrase + "x" });
            if (passphrase.Length > 0) Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
            else Assert.Equal(HttpStatusCode.Created, wrong.StatusCode); // an unencrypted key ignores a passphrase
            var imported = passphrase.Length > 0
                ? await lab.CreateCredentialAsync(new { name, privateKeyPem = pem, passphrase })
                : (name, (await lab.Admin.GetFromJsonAsync<JsonElement>("/api/v1/credentials")).EnumerateArray()
                    .Single(c => c.GetProperty("name").GetString() == name).GetProperty("publicKey").GetString()!);
            var expectedBlob = (await File.ReadAllTextAsync(file + ".pub")).Split(' ')[1];
            Assert.Equal(expectedBlob, imported.Item2.Split(' ')[1]);
            var sshd = await lab.SshdAsync();
            sshd.Authorize(SshdServer.TestUser, imported.Item2);
            var host = await lab.AddHostAsync(sshd, credential: name);
            Assert.Equal("succeeded", (await lab.RunAsync("system.info", new { }, host)).GetProperty("status").GetString());
            await using var db = await lab.DbAsync();
            Assert.DoesNotContain(await db.AuditEvents.Select(e => e.Details).ToListAsync(), d => d.Contains("PRIVATE") || (passphrase.Length > 0 && d.Contains(passphrase)));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
