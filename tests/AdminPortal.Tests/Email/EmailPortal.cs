using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Data.Audit;
using AdminPortal.Testing;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Email;
using AdminPortal.Web.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace AdminPortal.Tests.Email;

/// <summary>
/// A portal whose outbox retries quickly (every 0.3 s, up to 50 attempts) and whose log also goes to a file the
/// tests can read. The second constructor is the same portal again on the same database (a restart, or a
/// second instance).
/// </summary>
public sealed class EmailPortal : PortalApp
{
    private readonly int _maxAttempts;

    public EmailPortal(int maxAttempts = 50) => _maxAttempts = maxAttempts;

    private EmailPortal(EmailPortal other) : base(other.Database, other.DataDirectory) => _maxAttempts = other._maxAttempts;

    public string LogFile => Path.Combine(DataDirectory, $"portal-{GetHashCode():x}.log");

    /// <summary>Another portal on this one's database and data directory (master key included).</summary>
    public EmailPortal Another() => new(this);

    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        new("Email:RetryDelays:0", "00:00:00.3"),
        new("Email:MaxAttempts", _maxAttempts.ToString()),
        new("Email:PollInterval", "00:00:05"),
        new("Email:SendTimeout", "00:00:05"),
    ];

    // Serilog's section goes in as a configuration source of its own: settings given with UseSetting make the
    // parent sections read as empty strings, which Serilog takes for sink names.
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serilog:WriteTo:0:Name"] = "File",
            ["Serilog:WriteTo:0:Args:path"] = LogFile,
        }));
    }

    public string Log()
    {
        if (!File.Exists(LogFile)) return "";
        using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    public static async Task ConfigureSmtpAsync(HttpClient admin, int port, string? userName = null, string? password = null,
        string helpdesk = "the IT helpdesk on +1 555 0100")
    {
        SecretsScan.ScanArtifacts.Record("SMTP password", password);
        var r = await admin.PutAsJsonAsync("/api/v1/settings/smtp", new
        {
            host = "127.0.0.1", port, security = "none", userName, password, fromAddress = "portal@example.test", helpdeskContact = helpdesk,
        });
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
    }

    public static async Task<Guid> QueueTestEmailAsync(HttpClient admin, string to)
    {
        var r = await admin.PostAsJsonAsync("/api/v1/settings/smtp/test", new { to });
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, await r.Content.ReadAsStringAsync());
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>
    /// The sink's messages once delivery has settled: at least <paramref name="count"/> arrived, then a marker message queued
    /// after them arrived too. The sender takes due messages oldest first, so a second delivery of an earlier message would
    /// have reached the sink before the marker: "nothing more" is shown by a later event, not by a wait. The marker is left out.
    /// </summary>
    public static async Task<List<MimeKit.MimeMessage>> SettledAsync(HttpClient admin, SmtpSink sink, int count)
    {
        await Eventually.Async(() => WithoutMarkers(sink), m => m.Count >= count, $"{count} messages at the sink");
        var marker = MarkerPrefix + $"{Guid.NewGuid():N}"[..8] + "@example.test";
        await QueueTestEmailAsync(admin, marker);
        await sink.WaitForAsync(marker);
        return WithoutMarkers(sink);
    }

    private const string MarkerPrefix = "settled-marker-";

    /// <summary>The sink's messages except the markers of <see cref="SettledAsync"/> (this call's and earlier ones).</summary>
    public static List<MimeKit.MimeMessage> WithoutMarkers(SmtpSink sink) =>
        [.. sink.Messages().Where(m => !m.To.Mailboxes.Any(b => b.Address.StartsWith(MarkerPrefix, StringComparison.Ordinal)))];

    public static async Task<JsonElement> MessageAsync(HttpClient admin, Guid id)
    {
        var all = await admin.GetFromJsonAsync<JsonElement>("/api/v1/outbox?limit=500");
        return all.EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == id);
    }

    /// <summary>Polls the outbox API (bounded) until the message satisfies <paramref name="done"/>.</summary>
    public static async Task<JsonElement> WaitForAsync(HttpClient admin, Guid id, Func<JsonElement, bool> done, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        JsonElement m;
        do
        {
            m = await MessageAsync(admin, id);
            if (done(m)) return m;
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"The message did not reach the expected state: {m}");
    }

    public static bool Status(JsonElement m, string status) => m.GetProperty("status").GetString() == status;

    /// <summary>What the bundles feature does: the download-link email, queued in its own audited transaction.</summary>
    public async Task<Guid> QueueDownloadLinkAsync(string user, string email, string url, string serial)
    {
        var helpdesk = await Service<SmtpSettingsService>().HelpdeskContactAsync(default);
        return await Service<AuditedWork>().RunAsync(async (_, db, _) =>
        {
            var draft = DownloadLinkEmail.Create(user, email, "office", "Windows", url, new DateTimeOffset(2026, 12, 3, 17, 0, 0, TimeSpan.Zero),
                helpdesk, serial);
            var message = EmailOutbox.Enqueue(db, draft);
            await Task.CompletedTask;
            return (message.Id, (AuditEntry?)new AuditEntry(AuditActor.System, "bundle.link.sent", $"vpn-user:{user}", new { serial }));
        }, default);
    }

    public async Task<HttpClient> AdminAsync() => await TokenClientAsync(Roles.Admin);

    /// <summary>A new portal whose SMTP settings point at <paramref name="sink"/>, and an Admin client.</summary>
    public static async Task<(EmailPortal App, HttpClient Admin)> WithSinkAsync(SmtpSink sink, int maxAttempts = 50)
    {
        var app = new EmailPortal(maxAttempts);
        var admin = await app.AdminAsync();
        await ConfigureSmtpAsync(admin, sink.Port);
        return (app, admin);
    }
}
