using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.Security;
using Npgsql;

namespace AdminPortal.Tests.Email;

/// <summary>The SMTP settings through the API and the Settings page: validation, and the password kept out of everything.</summary>
public sealed class SmtpSettingsTests
{
    private const string Password = "Sm7p-pa55word-that-must-not-leak";

    [Fact]
    public async Task The_password_is_used_to_send_but_never_appears_in_a_response_the_page_the_log_or_the_audit_trail()
    {
        await using var sink = await SmtpSink.StartAsync();
        using var app = new EmailPortal();
        var admin = await app.AdminAsync();
        var put = await admin.PutAsJsonAsync("/api/v1/settings/smtp", new
        {
            host = "127.0.0.1", port = sink.Port, security = "none", userName = "portal", password = Password,
            fromAddress = "portal@example.test", helpdeskContact = "Helpdesk, ext. 100",
        });
        var putBody = await put.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var get = await admin.GetStringAsync("/api/v1/settings/smtp");
        Assert.True(JsonDocument.Parse(get).RootElement.GetProperty("hasPassword").GetBoolean());

        // The sender decrypts it and authenticates with it. smtp-sink offers AUTH PLAIN/LOGIN but answers 250 where
        // RFC 4954 says 235, which MailKit rightly takes as a refusal: a refused login fails the message at once.
        var refused = await EmailPortal.QueueTestEmailAsync(admin, "grace@example.test");
        var failed = await EmailPortal.WaitForAsync(admin, refused, m => EmailPortal.Status(m, "failed"));
        Assert.StartsWith("SMTP authentication refused", failed.GetProperty("lastError").GetString());

        // Without a user name no login is attempted; a change without a password keeps the stored one.
        await EmailPortal.ConfigureSmtpAsync(admin, sink.Port);
        Assert.True(JsonDocument.Parse(await admin.GetStringAsync("/api/v1/settings/smtp")).RootElement.GetProperty("hasPassword").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/outbox/{refused}/retry", null)).StatusCode);
        await sink.WaitForAsync("grace@example.test");

        var browser = await app.LoginAsync(await app.CreateOperatorAsync(Roles.Admin));
        var page = await browser.GetStringAsync("/settings");
        Assert.Contains("A password is stored", page);
        var audit = await admin.GetStringAsync("/api/v1/audit/export?format=json");
        Assert.Contains("settings.smtp.changed", audit);
        Assert.Contains("email.sent", audit);
        await using var conn = new NpgsqlConnection(app.SuperuserConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""SELECT "EncryptedPassword" FROM smtp_settings""", conn);
        var stored = (byte[])(await cmd.ExecuteScalarAsync())!;
        foreach (var (where, text) in new[] { ("PUT", putBody), ("GET", get), ("page", page), ("audit", audit), ("log", app.Log()), ("column", System.Text.Encoding.Latin1.GetString(stored)) })
            Assert.False(text.Contains(Password, StringComparison.Ordinal), $"The SMTP password appears in the {where}.");
        Assert.NotEqual("", app.Log());
    }

    [Fact]
    public async Task A_master_key_rotation_re_encrypts_the_smtp_password()
    {
        using var app = new EmailPortal();
        var admin = await app.AdminAsync();
        await EmailPortal.ConfigureSmtpAsync(admin, 2525, userName: "portal", password: Password);
        var (newKey, _) = AdminPortal.Web.Secrets.MasterKeyFile.Load(Path.Combine(app.DataDirectory, "master-2.key"), createIfMissing: true);

        await app.Service<AdminPortal.Web.Secrets.MasterKeyRotation>().RotateAsync(newKey, AdminPortal.Data.Audit.AuditActor.Cli("test"), default);

        await using var db = await app.DbAsync();
        var stored = db.SmtpSettings.Single().EncryptedPassword!;
        var plain = new AdminPortal.Data.SecretProtector(newKey).Unprotect(stored, AdminPortal.Data.Email.SmtpSettingsRow.PasswordPurpose);
        Assert.Equal(Password, System.Text.Encoding.UTF8.GetString(plain));
    }

    public static TheoryData<string, string> BadSettings => new()
    {
        { """{"host":"","port":25,"security":"none","fromAddress":"a@example.test"}""", "host" },
        { """{"host":"smtp example","port":25,"security":"none","fromAddress":"a@example.test"}""", "host" },
        { """{"host":"smtp.example.test","port":70000,"security":"none","fromAddress":"a@example.test"}""", "port" },
        { """{"host":"smtp.example.test","port":25,"security":"ssl3","fromAddress":"a@example.test"}""", "security" },
        { """{"host":"smtp.example.test","port":25,"security":"tls","fromAddress":"not an address"}""", "fromAddress" },
        { """{"host":"smtp.example.test","port":25,"security":"tls","fromAddress":"a@example.test","userName":"a\nb"}""", "userName" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Invalid_settings_are_refused_by_field_and_nothing_is_stored(string body, string field)
    {
        using var app = new EmailPortal();
        var admin = await app.AdminAsync();
        var r = await admin.PutAsync("/api/v1/settings/smtp", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var problem = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        var now = await admin.GetFromJsonAsync<JsonElement>("/api/v1/settings/smtp");
        Assert.False(now.GetProperty("configured").GetBoolean());
    }

    [Fact]
    public async Task A_test_email_needs_a_valid_address_and_configured_smtp_and_the_outbox_filter_is_checked()
    {
        using var app = new EmailPortal();
        var admin = await app.AdminAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/api/v1/settings/smtp/test", new { to = "nobody" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync("/api/v1/settings/smtp/test", new { to = "a@example.test" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/v1/outbox?status=lost")).StatusCode);
        Assert.Empty(await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/outbox") ?? []);
    }
}
