using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace AdminPortal.Tests.Mail;

/// <summary>Bad input is a 400 naming the field, and nothing reaches the host: the passwd-file stays byte for byte, no canary file appears.</summary>
public sealed class MailboxInputTests(MailLab lab) : IClassFixture<MailLab>
{
    private const string Canary = "/tmp/adminportal-mail-canary";

    public static TheoryData<string, string, string?, string?, string> Cases => new()
    {
        { "an address without a domain", "nodomain", null, null, "address" },
        { "an address with a domain without a dot", "x@localhost", null, null, "address" },
        { "an address with command substitution", $"a$(touch {Canary})@example.test", null, null, "address" },
        { "an address with backticks", $"a`touch {Canary}`@example.test", null, null, "address" },
        { "an address with a quote and a semicolon", $"a';touch {Canary};'@example.test", null, null, "address" },
        { "an address with a colon (a passwd-file field)", "a:b@example.test", null, null, "address" },
        { "an address with a newline", "a@example.test\nroot@example.test", null, null, "address" },
        { "an address with a trailing newline", "trail@example.test\n", null, null, "address" },
        { "an address with a trailing CR LF", "trail@example.test\r\n", null, null, "address" },
        { "an address with a trailing CR", "trail@example.test\r", null, null, "address" },
        { "a display name with command substitution", "eve@example.test", $"Eve $(touch {Canary})", null, "displayName" },
        { "a display name with a colon", "eve@example.test", "Eve:0:0", null, "displayName" },
        { "a display name with a newline", "eve@example.test", "Eve\nroot::0:0", null, "displayName" },
        { "a display name with a trailing newline", "eve@example.test", "Eve Trail\n", null, "displayName" },
        { "a password shorter than 12", "eve@example.test", null, "short-pass", "password" },
        { "a password that is the address", "eve.long.name@example.test", null, "eve.long.name@example.test", "password" },
        { "a password that is the local part", "eve.long.name@example.test", null, "EVE.LONG.NAME", "password" },
        { "a password with a control character", "eve@example.test", null, "line-one\nline-two", "password" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_is_refused_naming_the_field_and_nothing_runs_on_the_host(string why, string address, string? displayName, string? password, string field)
    {
        File.Delete(Canary);
        var before = await File.ReadAllBytesAsync(lab.Dovecot.PasswdFile);
        var entries = Directory.GetFileSystemEntries(Path.GetDirectoryName(lab.Dovecot.PasswdFile)!).Order().ToList();

        var r = await lab.Admin.PostAsJsonAsync("/api/v1/mailboxes", new { host = lab.Host, address, displayName, password });
        Assert.True(r.StatusCode == HttpStatusCode.BadRequest, $"{why}: {r.StatusCode}");
        var problem = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{why}: {problem}");
        if (password is not null) Assert.DoesNotContain(password, problem.GetRawText());

        Assert.Equal(before, await File.ReadAllBytesAsync(lab.Dovecot.PasswdFile));
        Assert.Equal(entries, Directory.GetFileSystemEntries(Path.GetDirectoryName(lab.Dovecot.PasswdFile)!).Order().ToList());
        Assert.False(File.Exists(Canary), why);
    }

    [Fact]
    public async Task A_created_mailbox_is_at_its_escaped_address_in_the_location()
    {
        var address = "o.b_r+" + MailLab.Unique("tag");
        var r = await lab.Admin.PostAsJsonAsync("/api/v1/mailboxes", new { host = lab.Host, address });
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        SecretsScan.ScanArtifacts.RecordJson(await r.Content.ReadAsStringAsync());
        Assert.Equal("/api/v1/mailboxes/" + Uri.EscapeDataString(address), r.Headers.Location?.OriginalString);
        // The location names the mailbox: its actions are under it.
        var disabled = await lab.Admin.PostAsJsonAsync(r.Headers.Location!.OriginalString + "/disable", new { });
        Assert.True(disabled.StatusCode == HttpStatusCode.OK, await disabled.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NoContent, (await lab.Admin.DeleteAsync(r.Headers.Location)).StatusCode);
    }

    [Fact]
    public async Task A_reset_to_a_password_that_breaks_the_policy_changes_nothing()
    {
        var address = MailLab.Unique("fay");
        var created = await lab.CreateAsync(new { host = lab.Host, address });
        var before = await File.ReadAllBytesAsync(lab.Dovecot.PasswdFile);
        var r = await lab.Admin.PostAsJsonAsync($"/api/v1/mailboxes/{address}/password", new { password = "too-short" });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.True((await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("password", out _));
        Assert.Equal(before, await File.ReadAllBytesAsync(lab.Dovecot.PasswdFile));
        Assert.Null(await lab.Dovecot.AwaitLoginAsync(address, created.GetProperty("password").GetString()!, works: true));
    }

    [Theory]
    [InlineData("""{"backend":"dovecot-passwd-file","passwdFile":"/etc/x"}""", "host")]
    [InlineData("""{"host":"h","backend":"exim"}""", "backend")]
    [InlineData("""{"host":"h","backend":"dovecot-passwd-file","passwdFile":"relative/users"}""", "passwdFile")]
    [InlineData("""{"host":"h","backend":"dovecot-passwd-file","passwdFile":"/etc/dovecot/users; rm -rf /"}""", "passwdFile")]
    [InlineData("""{"host":"h","backend":"dovecot-passwd-file","passwdFile":"/etc/users","scheme":"PLAIN"}""", "scheme")]
    [InlineData("""{"host":"h","backend":"dovecot-passwd-file","passwdFile":"/etc/users","homeTemplate":"/var/mail/%x/$(id)"}""", "homeTemplate")]
    [InlineData("""{"host":"h","backend":"archiveopteryx","aoxPath":"aox;id"}""", "aoxPath")]
    public async Task Bad_mail_host_settings_are_refused_naming_the_field(string body, string field)
    {
        var r = await lab.Admin.PostAsync("/api/v1/mail-hosts", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.True((await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Unknown_hosts_and_mailboxes_are_not_found()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await lab.Admin.PostAsJsonAsync("/api/v1/mailboxes", new { host = "no-such-host", address = "x@example.test" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await lab.Admin.GetAsync("/api/v1/mailboxes?host=no-such-host")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await lab.Admin.GetAsync("/api/v1/mailboxes")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await lab.Admin.PostAsJsonAsync("/api/v1/mailboxes/nobody@example.test/password", new { })).StatusCode);
    }
}
