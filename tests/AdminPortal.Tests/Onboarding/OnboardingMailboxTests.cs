using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Tests.Bundles;
using AdminPortal.Tests.Email;
using AdminPortal.Tests.Mail;
using AdminPortal.Tests.Peers;
using Microsoft.EntityFrameworkCore;
using static AdminPortal.Tests.Onboarding.Onboardings;

namespace AdminPortal.Tests.Onboarding;

/// <summary>The wizard with a mailbox on a real Dovecot (passwd-file over SSH), a shell account on a real sshd, and the link email.</summary>
public sealed class OnboardingMailboxTests(MailLab lab) : IClassFixture<MailLab>, IAsyncLifetime
{
    private readonly string _keyDir = Path.Combine(Path.GetTempPath(), "aponm-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _unix = $"apm{Guid.NewGuid():N}"[..12];
    private SmtpSink _sink = null!;

    public async Task InitializeAsync()
    {
        _sink = await SmtpSink.StartAsync();
        await EmailPortal.ConfigureSmtpAsync(lab.Admin, _sink.Port);
        await BundleSetup.EnsureCaAndProfileAsync(lab.Admin, "Mailbox-Onboarding-CA", new { name = "corp", remoteHost = "vpn.example.test", port = 1194, protocol = "udp" });
    }

    public async Task DisposeAsync()
    {
        await RemoveUnixUserAsync(_unix);
        await _sink.DisposeAsync();
        if (Directory.Exists(_keyDir)) Directory.Delete(_keyDir, true);
    }

    [Fact]
    public async Task Mailbox_certificate_shell_account_and_link_with_a_failed_step_retried_without_redoing_the_mailbox()
    {
        var sshd = await lab.Portal.SshdAsync();
        var shellHost = await lab.Portal.AddHostAsync(sshd, user: "root");
        var (key, publicKey) = await KeyPairAsync(_keyDir);
        var name = $"m.{Guid.NewGuid():N}"[..12];
        var (email, mailbox) = ($"{name}@people.example.test", MailLab.Unique("grace"));
        sshd.Stop();

        var r = await lab.Admin.PostAsJsonAsync("/api/v1/onboarding", new
        {
            userName = name, email, displayName = "Grace Hopper", profile = "corp", platform = "windows",
            mailHost = lab.Host, mailAddress = mailbox, hosts = new[] { shellHost }, unixUser = _unix, publicKey,
        });
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        var started = await r.Content.ReadFromJsonAsync<JsonElement>();
        var id = started.GetProperty("id").GetGuid();
        var password = started.GetProperty("mailboxPassword").GetString()!;
        SecretsScan.ScanArtifacts.Record("mailbox password", password);
        var failed = await WaitAsync(lab.Admin, id);

        Assert.Equal(["certificate", "mailbox", "shell-account", "link-email"], failed.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("kind").GetString()));
        Assert.True(Status(failed) == "failed", failed.ToString());
        Assert.Equal("done", Status(Step(failed, "mailbox")));
        Assert.Null(await lab.Dovecot.AwaitLoginAsync(mailbox, password, works: true));
        Assert.Equal(1, await lab.Dovecot.AppendAsync(mailbox, password, "welcome"));

        await sshd.RestartAsync();
        var retry = await lab.Admin.PostAsync($"/api/v1/onboarding/{id}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("mailboxPassword").ValueKind);
        var done = await WaitAsync(lab.Admin, id);

        Assert.True(Status(done) == "done", done.ToString());
        Assert.Null(await lab.Dovecot.LoginErrorAsync(mailbox, password)); // not created or reset again
        Assert.Equal(_unix, (await SshAsync(sshd.Port, _unix, key, "id -un")).Trim());
        var mail = await _sink.WaitForAsync(email, "/d/");
        Assert.DoesNotContain(password, mail.TextBody);
        await using var db = await lab.Portal.DbAsync();
        Assert.Equal(1, await db.Mailboxes.CountAsync(m => m.Address == mailbox));
        Assert.Equal(1, await db.Certificates.CountAsync(c => c.VpnUser!.Name == name));
        Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.To == email));
        var audit = await lab.Admin.GetStringAsync("/api/v1/audit/export?format=json");
        Assert.DoesNotContain(password, audit);
        Assert.Single(audit.Split("mail.mailbox.created").Skip(1));
    }
}
