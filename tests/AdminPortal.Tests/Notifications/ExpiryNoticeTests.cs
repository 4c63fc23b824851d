using System.Net.Http.Json;
using AdminPortal.Testing;
using AdminPortal.Tests.Email;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.Notifications;
using AdminPortal.Web.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace AdminPortal.Tests.Notifications;

/// <summary>
/// Certificate expiry notices under a clock the test moves: 30, 7 and 1 days before, to the user and to every Admin, each
/// once; delivered by the real smtp-sink, also when it was down and the portal restarted; never twice with two instances.
/// </summary>
public sealed class ExpiryNoticeTests : IAsyncLifetime // xunit 2 disposes a test class through IAsyncLifetime, not IAsyncDisposable
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly List<NoticePortal> _portals = [];
    private SmtpSink? _sink;

    private async Task<(NoticePortal Portal, HttpClient Admin, string AdminEmail)> StartAsync(bool sinkRunning = true)
    {
        _sink = sinkRunning ? await SmtpSink.StartAsync() : await SmtpSink.CreateAsync();
        var portal = new NoticePortal(_clock);
        _portals.Add(portal);
        var admin = await portal.TokenClientAsync(Roles.Admin);
        await EmailPortal.ConfigureSmtpAsync(admin, _sink.Port);
        Assert.True((await admin.PostAsJsonAsync("/api/v1/ca", new { name = "Expiry-CA" })).IsSuccessStatusCode);
        var op = await portal.CreateOperatorAsync(Roles.Admin, email: $"admin-{Guid.NewGuid():N}"[..14] + "@example.test");
        await portal.CreateOperatorAsync(Roles.Helpdesk); // not an Admin: gets nothing
        return (portal, admin, op.Email);
    }

    private Task<List<MimeKit.MimeMessage>> AwaitSinkAsync(HttpClient admin, int count) => EmailPortal.SettledAsync(admin, _sink!, count);

    [Fact]
    public async Task Notices_go_out_30_7_and_1_days_before_expiry_to_the_user_and_to_the_admins_each_once()
    {
        var (portal, admin, adminEmail) = await StartAsync();
        await NoticePortal.IssueAsync(admin, "expiring.user", "expiring.user@example.test", validDays: 40);
        await NoticePortal.IssueAsync(admin, "no.email", null, validDays: 40);

        await portal.AdvanceAndAwaitJobAsync(TimeSpan.FromDays(5)); // 35 days left
        Assert.Empty(await portal.NoticesAsync());

        await portal.AdvanceAndAwaitJobAsync(TimeSpan.FromDays(5) + TimeSpan.FromHours(1)); // 29 days 23 h left: the 30-day notices
        var mail = await AwaitSinkAsync(admin, 3);
        Assert.Equal(3, mail.Count);
        Assert.Single(mail, m => m.To.ToString() == "expiring.user@example.test" && m.Subject == "Your VPN certificate expires in 30 days");
        Assert.Single(mail, m => m.To.ToString() == adminEmail && m.Subject == "VPN certificate of expiring.user expires in 30 days");
        Assert.Single(mail, m => m.To.ToString() == adminEmail && m.Subject == "VPN certificate of no.email expires in 30 days");

        await portal.AdvanceAndAwaitJobAsync(TimeSpan.FromDays(1)); // still in the 30-day window: nothing new
        Assert.Equal(3, (await portal.NoticesAsync()).Count);

        await portal.AdvanceAndAwaitJobAsync(TimeSpan.FromDays(22) + TimeSpan.FromHours(11)); // 6.5 days left
        await portal.AdvanceAndAwaitJobAsync(TimeSpan.FromDays(6)); // 12 hours left
        await portal.AdvanceAndAwaitJobAsync(TimeSpan.FromDays(1)); // expired: nothing
        mail = await AwaitSinkAsync(admin, 9);

        Assert.Equal(9, mail.Count);
        Assert.Equal(["Your VPN certificate expires in 1 day", "Your VPN certificate expires in 30 days", "Your VPN certificate expires in 7 days"],
            mail.Where(m => m.To.ToString() == "expiring.user@example.test").Select(m => m.Subject).Order());
        Assert.Equal(6, mail.Count(m => m.To.ToString() == adminEmail));
        Assert.Contains("in 7 days", mail.Single(m => m.Subject == "Your VPN certificate expires in 7 days").TextBody);
        await using var db = await portal.DbAsync();
        Assert.Equal(9, await db.AuditEvents.CountAsync(e => e.Action == "email.sent" && e.Target.StartsWith("vpn-user:"))); // not the settle markers
        Assert.Equal(6, await db.AuditEvents.CountAsync(e => e.Action == "notification.expiry.queued"));
    }

    [Fact]
    public async Task With_smtp_down_the_notices_wait_and_go_out_after_a_restart_when_it_is_back_once()
    {
        var (first, admin, adminEmail) = await StartAsync(sinkRunning: false);
        await NoticePortal.IssueAsync(admin, "waiting.user", "waiting.user@example.test", validDays: 10);
        await first.AdvanceAndAwaitJobAsync(TimeSpan.FromDays(4)); // 6 days left: the 7-day notices
        // Each tried once and back to pending (a claim counts the attempt before the send: "sending" with one attempt is in flight);
        // the retry does not fall due while the test's clock stands still.
        var outbox = await AwaitOutboxAsync(admin, all => all.Count == 2
            && all.All(m => m.GetProperty("attempts").GetInt32() >= 1 && m.GetProperty("status").GetString() == "pending"));
        Assert.All(outbox, m => Assert.False(string.IsNullOrEmpty(m.GetProperty("lastError").GetString())));

        await first.DisposeAsync();
        var second = first.Another();
        _portals.Add(second);
        _ = second.Services;
        await second.AdvanceAndAwaitJobAsync(TimeSpan.FromHours(1)); // the restarted portal's job: nothing queued again
        Assert.Equal(2, (await second.NoticesAsync()).Count);

        await _sink!.StartAgainAsync();
        _clock.Advance(TimeSpan.FromSeconds(1)); // the retry falls due
        var mail = await AwaitSinkAsync(await second.TokenClientAsync(Roles.Admin), 2);
        Assert.Equal(2, mail.Count);
        Assert.Single(mail, m => m.To.ToString() == "waiting.user@example.test" && m.Subject == "Your VPN certificate expires in 6 days");
        Assert.Single(mail, m => m.To.ToString() == adminEmail);
    }

    [Fact]
    public async Task Two_instances_running_the_job_and_queueing_at_once_queue_and_send_each_notice_once()
    {
        var (a, admin, adminEmail) = await StartAsync();
        var b = a.Another();
        _portals.Add(b);
        for (var i = 0; i < 3; i++) await NoticePortal.IssueAsync(admin, $"twin.{i}", $"twin.{i}@example.test", validDays: 20);

        // Both instances' jobs, and both services called at the same time again and again.
        await Task.WhenAll(Enumerable.Range(0, 10).SelectMany(_ => new[] { a, b }).Select(p => p.Service<ExpiryNotices>().QueueDueAsync(default)));
        await a.AdvanceAndAwaitJobAsync(TimeSpan.FromMinutes(1));
        await b.AdvanceAndAwaitJobAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(6, (await a.NoticesAsync()).Count);
        var mail = await AwaitSinkAsync(admin, 6);
        Assert.Equal(6, mail.Count);
        Assert.Equal(3, mail.Count(m => m.To.ToString() == adminEmail));
        Assert.All(Enumerable.Range(0, 3), i => Assert.Single(mail, m => m.To.ToString() == $"twin.{i}@example.test"));
    }

    private static async Task<List<System.Text.Json.JsonElement>> AwaitOutboxAsync(HttpClient admin, Func<List<System.Text.Json.JsonElement>, bool> done) =>
        await Eventually.Async(async () => (await admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/outbox")).EnumerateArray().ToList(),
            done, "the outbox in the expected state");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var p in Enumerable.Reverse(_portals)) await p.DisposeAsync();
        if (_sink is not null) await _sink.DisposeAsync();
    }
}
