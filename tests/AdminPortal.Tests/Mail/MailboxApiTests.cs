using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace AdminPortal.Tests.Mail;

/// <summary>Mailboxes through the API on a real Dovecot reached over a real sshd; every login checked over IMAP (MailKit).</summary>
public sealed class MailboxApiTests(MailLab lab) : IClassFixture<MailLab>
{
    [Fact]
    public async Task A_created_mailbox_logs_in_and_appends_then_reset_disable_enable_and_delete_act_on_the_real_login()
    {
        var address = MailLab.Unique("ann");
        var created = await lab.CreateAsync(new { host = lab.Host, address, displayName = "Ann O'Neil", quotaMb = 2048 });
        var first = created.GetProperty("password").GetString()!;
        Assert.True(first.Length >= 20);
        Assert.Null(await lab.Dovecot.AwaitLoginAsync(address, first, works: true));
        Assert.Equal(1, await lab.Dovecot.AppendAsync(address, first, "hello"));
        var line = File.ReadAllLines(lab.Dovecot.PasswdFile).Single(l => l.StartsWith(address + ":", StringComparison.Ordinal));
        Assert.Contains(":{SHA512-CRYPT}$6$", line);
        Assert.Contains(":Ann O'Neil:", line);
        Assert.EndsWith(":userdb_quota_rule=*:storage=2048M", line);
        Assert.DoesNotContain(first, line);

        var reset = await lab.PostAsync($"/api/v1/mailboxes/{address}/password");
        var second = reset.GetProperty("password").GetString()!;
        Assert.NotEqual(first, second);
        Assert.NotNull(await lab.Dovecot.AwaitLoginAsync(address, first, works: false));
        Assert.Null(await lab.Dovecot.AwaitLoginAsync(address, second, works: true));

        var disabled = await lab.PostAsync($"/api/v1/mailboxes/{address}/disable");
        Assert.True(disabled.GetProperty("disabled").GetBoolean());
        Assert.NotNull(await lab.Dovecot.AwaitLoginAsync(address, second, works: false));
        var row = (await lab.ListAsync())[address];
        Assert.Equal("in-sync", row.GetProperty("state").GetString());
        Assert.True(row.GetProperty("hostDisabled").GetBoolean());

        await lab.PostAsync($"/api/v1/mailboxes/{address}/enable");
        Assert.Null(await lab.Dovecot.AwaitLoginAsync(address, second, works: true));
        Assert.Equal(2, await lab.Dovecot.AppendAsync(address, second, "again"));

        Assert.Equal(HttpStatusCode.NoContent, (await lab.Admin.DeleteAsync($"/api/v1/mailboxes/{address}")).StatusCode);
        Assert.NotNull(await lab.Dovecot.AwaitLoginAsync(address, second, works: false));
        Assert.DoesNotContain(File.ReadAllLines(lab.Dovecot.PasswdFile), l => l.StartsWith(address + ":", StringComparison.Ordinal));
        Assert.False((await lab.ListAsync()).ContainsKey(address));
        Assert.Equal(HttpStatusCode.NotFound, (await lab.Admin.PostAsJsonAsync($"/api/v1/mailboxes/{address}/disable", new { })).StatusCode);

        // Every step is audited, and no password or hash is in the audit trail.
        var audit = await lab.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/audit?target=mailbox:{address}&limit=50");
        var actions = audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()).Order().ToList();
        Assert.Equal(["mail.mailbox.created", "mail.mailbox.deleted", "mail.mailbox.disabled", "mail.mailbox.enabled", "mail.mailbox.password.reset"], actions);
        var text = audit.GetRawText();
        Assert.DoesNotContain(first, text);
        Assert.DoesNotContain(second, text);
        Assert.DoesNotContain("$6$", text);
    }

    [Fact]
    public async Task A_given_password_works_is_not_echoed_and_creating_the_same_mailbox_again_is_reported_as_already_existing()
    {
        var address = MailLab.Unique("ben");
        const string password = "Blue-Kettle-Orbit-42";
        var created = await lab.CreateAsync(new { host = lab.Host, address, displayName = "Ben", password });
        Assert.Equal(JsonValueKind.Null, created.GetProperty("password").ValueKind);
        Assert.Null(await lab.Dovecot.AwaitLoginAsync(address, password, works: true));

        var again = await lab.CreateAsync(new { host = lab.Host, address = address.ToUpperInvariant(), displayName = "Ben", password }, HttpStatusCode.Conflict);
        Assert.Equal("Mailbox already exists", again.GetProperty("title").GetString());
        Assert.Contains("with these settings", again.GetProperty("detail").GetString());
        var other = await lab.CreateAsync(new { host = lab.Host, address, displayName = "Someone Else" }, HttpStatusCode.Conflict);
        Assert.Contains("already taken", other.GetProperty("detail").GetString());
        Assert.Single(File.ReadAllLines(lab.Dovecot.PasswdFile), l => l.StartsWith(address + ":", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_listing_shows_drift_and_portal_changes_keep_the_lines_the_portal_does_not_own()
    {
        var mine = MailLab.Unique("cy");
        var gone = MailLab.Unique("dee");
        await lab.CreateAsync(new { host = lab.Host, address = mine, displayName = "Cy" });
        await lab.CreateAsync(new { host = lab.Host, address = gone, displayName = "Dee" });
        var hand = MailLab.Unique("hand");
        var handLine = $"{hand}:{{PLAIN}}written-by-hand:5000:5000:By Hand:/nonexistent:: allow_nets=127.0.0.1/32";
        var lines = File.ReadAllLines(lab.Dovecot.PasswdFile).ToList();
        lines = lines.Where(l => !l.StartsWith(gone + ":", StringComparison.Ordinal))
            .Select(l => l.StartsWith(mine + ":", StringComparison.Ordinal) ? l.Replace(":Cy:", ":Cy Changed:") : l)
            .Prepend("# a comment the portal keeps").Append(handLine).ToList();
        await File.WriteAllLinesAsync(lab.Dovecot.PasswdFile, lines);

        var rows = await lab.ListAsync();
        Assert.Equal("host-only", rows[hand].GetProperty("state").GetString());
        Assert.Equal("By Hand", rows[hand].GetProperty("hostDisplayName").GetString());
        Assert.Equal("portal-only", rows[gone].GetProperty("state").GetString());
        Assert.Equal("differs", rows[mine].GetProperty("state").GetString());
        Assert.Equal(["displayName"], rows[mine].GetProperty("differences").EnumerateArray().Select(d => d.GetString()));

        await lab.PostAsync($"/api/v1/mailboxes/{mine}/disable");
        var after = File.ReadAllLines(lab.Dovecot.PasswdFile);
        Assert.Contains("# a comment the portal keeps", after);
        Assert.Contains(handLine, after);
        Assert.Null(await lab.Dovecot.AwaitLoginAsync(hand, "written-by-hand", works: true));
    }

    [Fact]
    public async Task Concurrent_creates_on_one_passwd_file_all_land_and_each_logs_in()
    {
        var addresses = Enumerable.Range(0, 4).Select(i => MailLab.Unique($"par{i}")).ToList();
        var created = await Task.WhenAll(addresses.Select(a => lab.CreateAsync(new { host = lab.Host, address = a })));
        var file = File.ReadAllLines(lab.Dovecot.PasswdFile);
        for (var i = 0; i < addresses.Count; i++)
        {
            Assert.Single(file, l => l.StartsWith(addresses[i] + ":", StringComparison.Ordinal));
            Assert.Null(await lab.Dovecot.AwaitLoginAsync(addresses[i], created[i].GetProperty("password").GetString()!, works: true));
        }
    }
}
