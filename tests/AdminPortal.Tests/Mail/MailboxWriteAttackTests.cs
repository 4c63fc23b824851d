using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Tests.Hosts;
using AdminPortal.Tests.Peers;

namespace AdminPortal.Tests.Mail;

/// <summary>
/// Mailbox writes to a Dovecot passwd-file in a folder another, unprivileged account (apssh) owns, while that account
/// attacks: symlinks planted in advance at the lock's and the temporary file's names (a predictable PID range) and at
/// every new name it sees, files opened and held. Both ways of being root; every login checked over IMAP.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MailboxWriteAttackTests(MailRootWaysLab lab) : IClassFixture<MailRootWaysLab>
{
    [Theory]
    [MemberData(nameof(RootWaysLab.LoginUsers), MemberType = typeof(RootWaysLab))]
    public async Task Mailbox_writes_under_attack_land_and_never_touch_a_file_outside_the_folder(string login)
    {
        var dovecot = lab.Dovecot;
        var folder = Path.GetDirectoryName(dovecot.PasswdFile)!;
        var name = Path.GetFileName(dovecot.PasswdFile);
        // A passwd-file as it is deployed: Dovecot's group reads it, other accounts do not. Its folder is apssh's.
        await Proc.CheckedAsync("chown", ["root:dovecot", dovecot.PasswdFile]);
        File.SetUnixFileMode(dovecot.PasswdFile, (UnixFileMode)0b110_100_000);
        await Proc.CheckedAsync("chown", [$"{SshdServer.TestUser}:", folder]);

        var root = await SymlinkAttacker.PrepareRootAsync();
        var next = int.Parse(await File.ReadAllTextAsync("/proc/sys/kernel/ns_last_pid")) + 1;
        var predicted = Enumerable.Range(next, 20000).Select(pid => $"{name}.portal-{pid}.tmp");
        await using var attacker = await SymlinkAttacker.StartAsync(root, [folder], plantCanary: predicted, plantCreate: [name + ".lock"],
            leaveAlone: [name, "dovecot.conf", "dovecot.log", "base", "state", "home"]);

        var host = lab.Portal.HostOf(login);
        var address = MailLab.Unique(login == "root" ? "rooted" : "sudoed");
        var created = await PostAsync("/api/v1/mailboxes", new { host, address, displayName = "Under Attack" }, HttpStatusCode.Created);
        var password = created.GetProperty("password").GetString()!;
        Assert.Null(await dovecot.AwaitLoginAsync(address, password, works: true));
        var reset = (await PostAsync($"/api/v1/mailboxes/{address}/password", new { }, HttpStatusCode.OK)).GetProperty("password").GetString()!;
        Assert.Null(await dovecot.AwaitLoginAsync(address, reset, works: true));
        await PostAsync($"/api/v1/mailboxes/{address}/disable", new { }, HttpStatusCode.OK);
        Assert.NotNull(await dovecot.AwaitLoginAsync(address, reset, works: false));
        await PostAsync($"/api/v1/mailboxes/{address}/enable", new { }, HttpStatusCode.OK);
        Assert.Null(await dovecot.AwaitLoginAsync(address, reset, works: true));
        var log = await attacker.FinishAsync();

        Assert.Equal(SymlinkAttacker.UntouchedCanary, await attacker.CanaryStateAsync());
        Assert.False(File.Exists(attacker.Created), "a root write through the planted lock symlink created a file");
        Assert.DoesNotContain("SHA512-CRYPT", log);
        Assert.Equal(FileAttributes.None, File.GetAttributes(dovecot.PasswdFile) & FileAttributes.ReparsePoint);
        Assert.Equal("root:dovecot 640", (await Proc.CheckedAsync("stat", ["-c", "%U:%G %a", dovecot.PasswdFile])).Trim());
        Assert.Single(File.ReadAllLines(dovecot.PasswdFile), l => l.StartsWith(address + ":", StringComparison.Ordinal));
    }

    private async Task<JsonElement> PostAsync(string path, object body, HttpStatusCode expected)
    {
        var r = await lab.Admin.PostAsJsonAsync(path, body);
        var text = await r.Content.ReadAsStringAsync();
        SecretsScan.ScanArtifacts.RecordJson(text);
        Assert.True(r.StatusCode == expected, $"{r.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }
}
