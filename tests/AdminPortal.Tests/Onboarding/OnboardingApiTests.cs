using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminPortal.Tests.Bundles;
using AdminPortal.Tests.Email;
using AdminPortal.Tests.Hosts;
using AdminPortal.Tests.Peers;
using Microsoft.EntityFrameworkCore;
using static AdminPortal.Tests.Onboarding.Onboardings;

namespace AdminPortal.Tests.Onboarding;

/// <summary>
/// The onboarding wizard through the API against real peers: the CA, a real sshd (the shell account, then an SSH login
/// with the person's key) and Postfix's smtp-sink (the link email, whose link then downloads the profile).
/// </summary>
public sealed class OnboardingApiTests(SshLab lab) : IClassFixture<SshLab>, IAsyncLifetime
{
    private readonly string _keyDir = Path.Combine(Path.GetTempPath(), "aponb-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<string> _unixUsers = [];
    private SmtpSink _sink = null!;

    public async Task InitializeAsync()
    {
        _sink = await SmtpSink.StartAsync();
        await EmailPortal.ConfigureSmtpAsync(lab.Admin, _sink.Port);
        await BundleSetup.EnsureCaAndProfileAsync(lab.Admin, "Onboarding-CA", new { name = "corp", remoteHost = "vpn.example.test", port = 1194, protocol = "udp" });
    }

    public async Task DisposeAsync()
    {
        foreach (var u in _unixUsers) await RemoveUnixUserAsync(u);
        await _sink.DisposeAsync();
        if (Directory.Exists(_keyDir)) Directory.Delete(_keyDir, true);
    }

    private string NewUnixUser()
    {
        var u = $"apo{Guid.NewGuid():N}"[..12];
        _unixUsers.Add(u);
        return u;
    }

    private static string NewName() => $"new.{Guid.NewGuid():N}"[..14];

    [Fact]
    public async Task Onboarding_issues_the_certificate_creates_the_shell_account_and_emails_a_working_link()
    {
        var sshd = await lab.SshdAsync();
        var host = await lab.AddHostAsync(sshd, user: "root");
        var (key, publicKey) = await KeyPairAsync(_keyDir);
        var (name, unix, email) = (NewName(), NewUnixUser(), $"{Guid.NewGuid():N}"[..10] + "@example.test");

        var id = await StartAsync(lab.Admin, new
        {
            userName = name, email, displayName = "Ada <Lovelace>", profile = "corp", platform = "ovpn", hosts = new[] { host }, unixUser = unix, publicKey,
        });
        var run = await WaitAsync(lab.Admin, id);

        Assert.True(Status(run) == "done", run.ToString());
        Assert.Equal(["certificate", "shell-account", "link-email"], run.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("kind").GetString()));
        Assert.All(run.GetProperty("steps").EnumerateArray(), s => Assert.Equal("done", Status(s)));
        var user = await lab.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/vpn-users/{name}");
        var serial = Step(run, "certificate").GetProperty("reference").GetString();
        Assert.Contains(serial!, user.ToString());
        Assert.Equal(unix, (await SshAsync(sshd.Port, unix, key, "id -un")).Trim());

        var mail = await _sink.WaitForAsync(email, "/d/");
        Assert.Equal("Welcome, Ada <Lovelace>: your VPN profile", mail.Subject);
        Assert.Contains("Ada &lt;Lovelace&gt;", mail.HtmlBody);
        var link = LinkPath(mail.TextBody ?? "");
        var page = await lab.CreateClient().GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        var audit = await lab.Admin.GetStringAsync("/api/v1/audit/export?format=json&action=onboarding");
        Assert.Contains("onboarding.started", audit);
        Assert.Equal(3, audit.Split("onboarding.step.finished").Length - 1);
        Assert.Contains("onboarding.finished", audit);
        var everything = await lab.Admin.GetStringAsync("/api/v1/audit/export?format=json");
        Assert.DoesNotContain(link[3..], everything);
    }

    [Fact]
    public async Task A_failed_shell_account_step_stops_the_run_and_the_retry_completes_it_without_a_second_certificate_account_or_email()
    {
        var sshd = await lab.SshdAsync();
        var host = await lab.AddHostAsync(sshd, user: "root");
        var (key, publicKey) = await KeyPairAsync(_keyDir);
        var (name, unix, email) = (NewName(), NewUnixUser(), $"{Guid.NewGuid():N}"[..10] + "@example.test");
        sshd.Stop();

        var id = await StartAsync(lab.Admin, new { userName = name, email, profile = "corp", platform = "linux", hosts = new[] { host }, unixUser = unix, publicKey });
        var failed = await WaitAsync(lab.Admin, id);

        Assert.True(Status(failed) == "failed", failed.ToString());
        Assert.Equal("done", Status(Step(failed, "certificate")));
        Assert.Equal("failed", Status(Step(failed, "shell-account")));
        Assert.Contains("connection refused", Step(failed, "shell-account").GetProperty("result").GetString());
        Assert.Equal("pending", Status(Step(failed, "link-email")));
        var serial = Step(failed, "certificate").GetProperty("reference").GetString();

        await sshd.RestartAsync();
        var retry = await lab.Admin.PostAsync($"/api/v1/onboarding/{id}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        var done = await WaitAsync(lab.Admin, id);

        Assert.True(Status(done) == "done", done.ToString());
        Assert.Equal(serial, Step(done, "certificate").GetProperty("reference").GetString());
        Assert.Equal(unix, (await SshAsync(sshd.Port, unix, key, "id -un")).Trim());
        await _sink.WaitForAsync(email, "/d/");
        await using (var db = await lab.DbAsync())
        {
            Assert.Equal(1, await db.Certificates.CountAsync(c => c.VpnUser!.Name == name));
            Assert.Equal(1, await db.DownloadLinks.CountAsync(l => l.VpnUser!.Name == name));
            Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.To == email));
            // The first account.create never reached the host; the retry's is the only one that ran.
            var runs = await db.ActionRuns.Where(r => r.Action == "account.create" && r.Hosts.Any(h => h.HostName == host)).Select(r => r.Status).ToListAsync();
            Assert.Equal(["failed", "succeeded"], runs.Order());
        }
        Assert.Single(await EmailPortal.SettledAsync(lab.Admin, _sink, 1), m => m.To.Mailboxes.Any(b => b.Address == email));
        Assert.Equal(HttpStatusCode.Conflict, (await lab.Admin.PostAsync($"/api/v1/onboarding/{id}/retry", null)).StatusCode);
    }

    public static TheoryData<string, string> BadInput => new()
    {
        { """{"userName":"bad name;rm","email":"a@example.test"}""", "userName" },
        { """{"userName":"ok.user","email":"no-domain"}""", "email" },
        { """{"userName":"ok.user","email":"a@example.test","profile":"no-such-profile","platform":"ovpn"}""", "profile" },
        { """{"userName":"ok.user","email":"a@example.test","profile":"corp","platform":"amiga"}""", "platform" },
        { """{"userName":"ok.user","profile":"corp","platform":"ovpn"}""", "email" },
        { """{"userName":"ok.user","hosts":["no-such-host"],"unixUser":"okuser","publicKey":"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk6nZb0mVxS7B9yFqX4q0uQ3jz1x8cQ0nqYtJk2n3aQ x"}""", "hosts" },
        { """{"userName":"ok.user","hosts":["h"],"unixUser":"root; touch /tmp/pwned","publicKey":"ssh-ed25519 AAAA x"}""", "unixUser" },
        { """{"userName":"ok.user","hosts":["h"],"unixUser":"okuser","publicKey":"not a key $(reboot)"}""", "publicKey" },
        { """{"userName":"ok.user","unixUser":"okuser"}""", "hosts" },
        { """{"userName":"ok.user","keyAlgorithm":"dsa-512"}""", "keyAlgorithm" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task Bad_input_is_a_400_naming_the_field_and_nothing_is_created(string body, string field)
    {
        int Count(Data.PortalDbContext db) => db.OnboardingRuns.Count() + db.VpnUsers.Count(u => u.Name == "ok.user");
        int before;
        await using (var db = await lab.DbAsync()) before = Count(db);

        var r = await lab.Admin.PostAsync("/api/v1/onboarding", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Contains(field, await r.Content.ReadAsStringAsync());
        await using (var db = await lab.DbAsync()) Assert.Equal(before, Count(db));
    }

    [Fact]
    public async Task Onboarding_a_user_who_already_has_a_certificate_is_a_conflict()
    {
        var name = NewName();
        Assert.Equal(HttpStatusCode.Created, (await lab.Admin.PostAsJsonAsync("/api/v1/vpn-users", new { name })).StatusCode);
        var r = await lab.Admin.PostAsJsonAsync("/api/v1/onboarding", new { userName = name });
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        await using var db = await lab.DbAsync();
        Assert.False(await db.OnboardingRuns.AnyAsync(x => x.UserName == name));
    }
}
