using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Tests.Email;
using AdminPortal.Tests.Hosts;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Tests.Notifications;

/// <summary>Templates Admins edit (checked placeholders, preview, audit) and the revocation notice through the real smtp-sink.</summary>
public sealed class NotificationTests : IAsyncLifetime
{
    private SmtpSink _sink = null!;
    private EmailPortal _app = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _sink = await SmtpSink.StartAsync();
        (_app, _admin) = await EmailPortal.WithSinkAsync(_sink);
        Assert.True((await _admin.PostAsJsonAsync("/api/v1/ca", new { name = "Notice-CA" })).IsSuccessStatusCode);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _sink.DisposeAsync();
    }

    private async Task IssueAsync(string name, string? email) =>
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/api/v1/vpn-users", new { name, email })).StatusCode);

    [Fact]
    public async Task A_revocation_emails_the_user_once_and_a_user_without_an_address_gets_nothing()
    {
        await IssueAsync("revoked.user", "revoked.user@example.test");
        await IssueAsync("silent.user", null);

        Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsJsonAsync("/api/v1/vpn-users/revoked.user/revoke", new { reason = "keyCompromise" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsJsonAsync("/api/v1/vpn-users/silent.user/revoke", new { reason = "cessationOfOperation" })).StatusCode);

        var mail = await _sink.WaitForAsync("revoked.user@example.test", "keyCompromise");
        Assert.Equal("Your VPN certificate was revoked", mail.Subject);
        Assert.Single(await EmailPortal.SettledAsync(_admin, _sink, 1));
        await using var db = await _app.DbAsync();
        Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.Kind == "certificate-revoked"));
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "email.sent" && e.Target == "vpn-user:revoked.user"));
    }

    [Fact]
    public async Task An_unknown_placeholder_is_refused_a_saved_template_is_audited_previewed_used_and_reset()
    {
        var bad = await _admin.PutAsJsonAsync("/api/v1/notification-templates/certificate-revoked",
            new { subject = "Revoked: {{user}}", textBody = "Dear {{user}}, your {{password}} is gone" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("{{password}}", await bad.Content.ReadAsStringAsync());
        var list = await _admin.GetFromJsonAsync<JsonElement>("/api/v1/notification-templates");
        Assert.All(list.EnumerateArray(), t => Assert.False(t.GetProperty("customised").GetBoolean()));
        Assert.Equal(6, list.GetArrayLength());

        var preview = await _admin.PostAsJsonAsync("/api/v1/notification-templates/certificate-revoked/preview",
            new { subject = "Revoked: {{user}}", textBody = "Serial {{serial}}", htmlBody = "<p>{{ user }} & {{reason}}</p>" });
        var shown = await preview.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Revoked: jdoe", shown.GetProperty("subject").GetString());
        Assert.Equal("<p>jdoe & keyCompromise</p>", shown.GetProperty("htmlBody").GetString());

        var saved = await _admin.PutAsJsonAsync("/api/v1/notification-templates/certificate-revoked",
            new { subject = "Revoked: {{user}}", textBody = "Serial {{serial}} ({{reason}}).", htmlBody = "<p>{{user}}</p>" });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        await IssueAsync("templated", "templated@example.test");
        Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsJsonAsync("/api/v1/vpn-users/templated/revoke", new { reason = "superseded" })).StatusCode);
        var mail = await _sink.WaitForAsync("templated@example.test", "(superseded).");
        Assert.Equal("Revoked: templated", mail.Subject);
        Assert.Equal("<p>templated</p>", mail.HtmlBody);

        Assert.Equal(HttpStatusCode.OK, (await _admin.DeleteAsync("/api/v1/notification-templates/certificate-revoked")).StatusCode);
        list = await _admin.GetFromJsonAsync<JsonElement>("/api/v1/notification-templates");
        Assert.Equal("Your VPN certificate was revoked", list.EnumerateArray().Single(t => t.GetProperty("kind").GetString() == "certificate-revoked").GetProperty("subject").GetString());
        await using var db = await _app.DbAsync();
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == "notification.template.changed"));
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == "notification.template.reset"));
    }
}

/// <summary>The host-key mismatch alert: queued to every Admin with the mismatch's audit event, once however often the host is refused.</summary>
public sealed class HostKeyAlertTests(SshLab lab) : IClassFixture<SshLab>
{
    [Fact]
    public async Task A_changed_host_key_queues_one_alert_per_admin_however_often_it_is_refused()
    {
        var admins = new[] { await lab.CreateOperatorAsync(Roles.Admin), await lab.CreateOperatorAsync(Roles.Admin) };
        var sshd = await lab.SshdAsync();
        var host = await lab.AddHostAsync(sshd);
        await sshd.NewHostKeyAsync();
        await sshd.RestartAsync();
        var changed = await sshd.FingerprintAsync();

        for (var i = 0; i < 3; i++)
            Assert.Equal("refused", SshLab.Host(await lab.RunAsync("system.info", new { }, host), host).GetProperty("status").GetString());

        await using var db = await lab.DbAsync();
        var alerts = await db.OutboxMessages.Where(m => m.Kind == "host-key-mismatch" && m.Target == $"host:{host}").ToListAsync();
        Assert.Equal(admins.Select(a => a.Email).Order(), alerts.Select(a => a.To).Order());
        Assert.All(alerts, a => Assert.Contains(changed, a.TextBody));
        Assert.Equal(3, await db.AuditEvents.CountAsync(e => e.Action == "host.key.mismatch" && e.Target == $"host:{host}"));
    }
}
