using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Testing;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.Security;
using Xunit.Abstractions;

namespace AdminPortal.Tests.Email;

/// <summary>The outbox against a real SMTP server (Postfix's smtp-sink) on loopback: up, down, 4xx, 5xx, restarts.</summary>
public sealed class EmailDeliveryTests(ITestOutputHelper output)
{
    private const string Pending = "pending", Sent = "sent", Failed = "failed";

    private static int Attempts(JsonElement m) => m.GetProperty("attempts").GetInt32();
    private static string? LastError(JsonElement m) => m.GetProperty("lastError").GetString();

    [Fact]
    public async Task The_download_link_email_arrives_with_the_link_and_nothing_secret_and_is_audited_with_the_serial()
    {
        await using var sink = await SmtpSink.StartAsync();
        var (app, admin) = await EmailPortal.WithSinkAsync(sink);
        using var _ = app;
        const string url = "https://portal.example.test/d/Zx81-one-time-link";
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var id = await app.QueueDownloadLinkAsync("alice", "alice@example.test", url, "7f3a9c");

        var mail = await sink.WaitForAsync("alice@example.test", url);
        output.WriteLine($"queued to arrived at the sink: {clock.ElapsedMilliseconds} ms");
        var text = mail.TextBody;
        Assert.Equal("Your VPN profile for Windows", mail.Subject);
        Assert.Equal("portal@example.test", mail.From.Mailboxes.Single().Address);
        Assert.Contains("Hello alice", text);
        Assert.Contains("\"office\"", text);
        Assert.Contains("works once", text);
        Assert.Contains("Thursday 3 December 2026, 17:00 UTC", text);
        Assert.Contains("the IT helpdesk on +1 555 0100", text);
        foreach (var secret in (string[])["BEGIN", "PRIVATE", "CERTIFICATE", "<key>", "<cert>"]) Assert.DoesNotContain(secret, text);
        Assert.Equal(id.ToString("N") + "@example.test", mail.MessageId);

        var m = await EmailPortal.WaitForAsync(admin, id, x => EmailPortal.Status(x, Sent));
        Assert.Equal(1, Attempts(m));
        Assert.Equal("7f3a9c", m.GetProperty("certificateSerial").GetString());
        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?action=email.sent&target=vpn-user:alice");
        var details = audit.GetProperty("items")[0].GetProperty("details");
        Assert.Equal("7f3a9c", details.GetProperty("serial").GetString());
        Assert.Equal("alice@example.test", details.GetProperty("to").GetString());
        Assert.Equal("download-link", details.GetProperty("kind").GetString());
        Assert.DoesNotContain(url, audit.ToString()); // the link stays in the email
    }

    [Fact]
    public async Task With_the_server_down_the_message_waits_with_its_attempts_and_is_delivered_when_the_server_returns()
    {
        await using var sink = await SmtpSink.CreateAsync();
        var (app, admin) = await EmailPortal.WithSinkAsync(sink);
        using var _ = app;
        var id = await EmailPortal.QueueTestEmailAsync(admin, "bob@example.test");

        var waiting = await EmailPortal.WaitForAsync(admin, id, m => Attempts(m) >= 2 && EmailPortal.Status(m, Pending));
        Assert.Contains("ConnectionRefused", LastError(waiting));
        Assert.True(waiting.GetProperty("nextAttemptAt").GetDateTimeOffset() > waiting.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Empty(sink.Messages());

        await sink.StartAgainAsync();
        await sink.WaitForAsync("bob@example.test", "email delivery works");
        await EmailPortal.WaitForAsync(admin, id, m => EmailPortal.Status(m, Sent));
        Assert.Single(sink.Messages());
    }

    [Fact]
    public async Task A_message_waiting_for_the_server_is_delivered_by_the_next_portal_after_a_restart()
    {
        await using var sink = await SmtpSink.CreateAsync();
        var first = new EmailPortal();
        Guid id;
        EmailPortal second;
        try
        {
            var admin = await first.AdminAsync();
            await EmailPortal.ConfigureSmtpAsync(admin, sink.Port);
            id = await EmailPortal.QueueTestEmailAsync(admin, "carol@example.test");
            await EmailPortal.WaitForAsync(admin, id, m => Attempts(m) >= 1 && EmailPortal.Status(m, Pending));
            second = first.Another();
        }
        finally
        {
            first.Dispose(); // the portal stops; the message stays in the database
        }
        using (second)
        {
            await sink.StartAgainAsync();
            var admin = await second.AdminAsync();
            await sink.WaitForAsync("carol@example.test");
            var m = await EmailPortal.WaitForAsync(admin, id, x => EmailPortal.Status(x, Sent));
            Assert.True(Attempts(m) >= 2);
        }
        Assert.Single(sink.Messages());
    }

    [Theory]
    [InlineData("RCPT")]
    [InlineData("DATA")]
    public async Task A_4xx_answer_is_retried_and_the_message_delivered_once_the_fault_is_gone(string command)
    {
        await using var sink = await SmtpSink.StartAsync("-r", command);
        var (app, admin) = await EmailPortal.WithSinkAsync(sink);
        using var _ = app;
        var id = await EmailPortal.QueueTestEmailAsync(admin, "dave@example.test");

        var deferred = await EmailPortal.WaitForAsync(admin, id, m => Attempts(m) >= 2 && EmailPortal.Status(m, Pending));
        Assert.StartsWith("SMTP 45", LastError(deferred));

        await sink.StartAgainAsync();
        await sink.WaitForAsync("dave@example.test");
        await EmailPortal.WaitForAsync(admin, id, m => EmailPortal.Status(m, Sent));
        Assert.Single(sink.Messages());
    }

    [Fact]
    public async Task A_5xx_answer_fails_the_message_at_once_visibly_and_a_retry_queues_it_again()
    {
        await using var sink = await SmtpSink.StartAsync("-f", "RCPT");
        var (app, admin) = await EmailPortal.WithSinkAsync(sink);
        using var _ = app;
        var id = await EmailPortal.QueueTestEmailAsync(admin, "erin@example.test");

        var failed = await EmailPortal.WaitForAsync(admin, id, m => EmailPortal.Status(m, Failed));
        Assert.Equal(1, Attempts(failed));
        Assert.StartsWith("SMTP 5", LastError(failed));
        var listed = await admin.GetFromJsonAsync<JsonElement>("/api/v1/outbox?status=failed");
        Assert.Contains(listed.EnumerateArray(), m => m.GetProperty("id").GetGuid() == id);
        var browser = await app.LoginAsync(await app.CreateOperatorAsync(Roles.Admin));
        var page = await browser.GetStringAsync("/outbox");
        Assert.Contains("erin@example.test", page);
        Assert.Contains(WebUtility.HtmlEncode(LastError(failed)!), page);
        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?action=email.failed");
        Assert.Contains("erin@example.test", audit.ToString());

        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/v1/outbox/{Guid.NewGuid()}/retry", null)).StatusCode);
        await sink.StartAgainAsync();
        var retried = await admin.PostAsync($"/api/v1/outbox/{id}/retry", null);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        await sink.WaitForAsync("erin@example.test");
        var sent = await EmailPortal.WaitForAsync(admin, id, m => EmailPortal.Status(m, Sent));
        Assert.Equal(1, Attempts(sent));
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/v1/outbox/{id}/retry", null)).StatusCode);
        var retriedAudit = await admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?action=email.retried");
        Assert.Single(retriedAudit.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Before_smtp_is_configured_messages_wait_without_attempts_and_go_out_once_it_is()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var app = new EmailPortal();
        var admin = await app.AdminAsync();
        var id = await app.QueueDownloadLinkAsync("heidi", "heidi@example.test", "https://portal.example.test/d/heidi", "01");
        var waiting = await EmailPortal.MessageAsync(admin, id);
        Assert.True(EmailPortal.Status(waiting, Pending));
        Assert.Equal(0, Attempts(waiting));

        await EmailPortal.ConfigureSmtpAsync(admin, sink.Port);
        await sink.WaitForAsync("heidi@example.test", "https://portal.example.test/d/heidi");
        Assert.Contains("contact your IT helpdesk", sink.Messages().Single().TextBody); // no helpdesk text was set
        // The sender was woken when the message was queued and looked at it then: had it tried without SMTP, the count would show it.
        var sent = await EmailPortal.WaitForAsync(admin, id, m => EmailPortal.Status(m, Sent));
        Assert.Equal(1, Attempts(sent));
    }

    [Fact]
    public async Task A_message_that_keeps_being_deferred_fails_after_the_last_attempt()
    {
        await using var sink = await SmtpSink.CreateAsync();
        var (app, admin) = await EmailPortal.WithSinkAsync(sink, maxAttempts: 3);
        using var _ = app;
        var id = await EmailPortal.QueueTestEmailAsync(admin, "frank@example.test");

        var failed = await EmailPortal.WaitForAsync(admin, id, m => EmailPortal.Status(m, Failed));
        Assert.Equal(3, Attempts(failed));
        Assert.StartsWith("Gave up after 3 attempts.", LastError(failed));
    }

    [Fact]
    public async Task Two_portals_on_one_database_deliver_each_message_exactly_once()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var first = new EmailPortal();
        var admin = await first.AdminAsync();
        await EmailPortal.ConfigureSmtpAsync(admin, sink.Port);
        using var second = first.Another();
        var secondAdmin = await second.AdminAsync(); // started: both senders are running

        const int count = 40;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var ids = await Task.WhenAll(Enumerable.Range(0, count).Select(i =>
            EmailPortal.QueueTestEmailAsync(i % 2 == 0 ? admin : secondAdmin, $"user{i}@example.test")));
        await Eventually.Async(sink.Messages, m => m.Count >= count, $"{count} messages at the sink");
        output.WriteLine($"{count} messages queued through the API and delivered by two portals: {clock.ElapsedMilliseconds} ms");
        // Two markers queued after them, one through each portal: a duplicate would have arrived before them.
        await EmailPortal.SettledAsync(secondAdmin, sink, count);
        var messages = await EmailPortal.SettledAsync(admin, sink, count);
        Assert.Equal(count, messages.Count);
        Assert.Equal(count, messages.Select(m => m.MessageId).Distinct().Count());
        var outbox = (await admin.GetFromJsonAsync<JsonElement>("/api/v1/outbox?status=sent&limit=500")).EnumerateArray()
            .Where(m => m.GetProperty("to").GetString()!.StartsWith("user", StringComparison.Ordinal)).ToList();
        Assert.Equal(ids.Order(), outbox.Select(m => m.GetProperty("id").GetGuid()).Order());
        Assert.All(outbox, m => Assert.Equal(1, Attempts(m)));
    }
}
