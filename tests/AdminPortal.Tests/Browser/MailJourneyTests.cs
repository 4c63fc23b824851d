using System.Text.RegularExpressions;
using AdminPortal.Data.Audit;
using AdminPortal.Tests.Peers;
using AdminPortal.Web.Hosts;
using AdminPortal.Web.Mail;
using AdminPortal.Web.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminPortal.Tests.Browser;

/// <summary>Mailboxes in headless Chromium against a real Dovecot behind a real sshd: create, reset, disable, delete, each checked over IMAP.</summary>
[Collection("Browser")]
public sealed class MailJourneyTests(BrowserPortal portal) : IClassFixture<BrowserPortal>
{
    [Fact]
    public async Task Admin_creates_a_mailbox_resets_its_password_disables_it_and_deletes_it_on_the_page()
    {
        await using var sshd = await SshdServer.StartAsync();
        await using var dovecot = await DovecotServer.StartAsync();
        var credential = await portal.Service<CredentialService>().CreateAsync(new CredentialRequest("mail-key"), AuditActor.System, default);
        sshd.Authorize("root", credential.Value!.PublicKey);
        var hosts = portal.Service<HostService>();
        Assert.True((await hosts.AddAsync(new AddHostRequest("mail-1", "127.0.0.1", sshd.Port, "root", "mail-key"), AuditActor.System, default)).Ok);
        Assert.True((await hosts.TrustAsync("mail-1", await sshd.FingerprintAsync(), AuditActor.System, default)).Ok);
        var mailHost = await portal.Service<MailHostService>().AddAsync(new MailHostRequest("mail-1", "dovecot-passwd-file",
            dovecot.PasswdFile, HomeTemplate: dovecot.HomeTemplate), AuditActor.System, default);
        Assert.True(mailHost.Ok, mailHost.Error?.Detail);
        await File.AppendAllTextAsync(dovecot.PasswdFile, "legacy@example.test:{PLAIN}legacy-password:5000:5000:Legacy:/nonexistent::\n");

        var admin = await portal.CreateOperatorAsync(Roles.Admin);
        await using var s = await portal.NewSessionAsync("mail-admin");
        var page = s.Page;
        await s.SignInAsync(admin);

        await page.GetByRole(AriaRole.Link, new() { Name = "Mail hosts", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("mailhosts-table")).ToContainTextAsync(dovecot.PasswdFile);
        await page.GetByRole(AriaRole.Link, new() { Name = "Mailboxes", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/mailboxes$"));
        await s.WaitForInteractiveAsync();
        var legacy = Row(page, "legacy@example.test");
        await Expect(legacy.GetByTestId("mailbox-state")).ToHaveTextAsync("host-only");

        // A bad address is refused inline, naming the field.
        await page.GetByTestId("mailbox-address").FillAsync("no-domain");
        await page.GetByTestId("mailbox-create").ClickAsync();
        await Expect(page.GetByTestId("mailbox-error")).ToContainTextAsync("address must be local@domain");

        await page.GetByTestId("mailbox-address").FillAsync("zoe@example.test");
        await page.GetByTestId("mailbox-display-name").FillAsync("Zoë Example");
        await page.GetByTestId("mailbox-create").ClickAsync();
        await Expect(page.GetByTestId("mailbox-message")).ToContainTextAsync("Created zoe@example.test.");
        var first = await page.GetByTestId("mailbox-new-password").InnerTextAsync();
        var zoe = Row(page, "zoe@example.test");
        await Expect(zoe.GetByTestId("mailbox-state")).ToHaveTextAsync("in-sync");
        Assert.Null(await dovecot.AwaitLoginAsync("zoe@example.test", first, works: true));
        await s.ScreenshotAsync("created", readme: "mailboxes");

        await zoe.GetByTestId("mailbox-reset").ClickAsync();
        await Expect(page.GetByTestId("mailbox-message")).ToContainTextAsync("New password set for zoe@example.test.");
        var second = await page.GetByTestId("mailbox-new-password").InnerTextAsync();
        Assert.NotEqual(first, second);
        Assert.Null(await dovecot.AwaitLoginAsync("zoe@example.test", second, works: true));
        Assert.NotNull(await dovecot.AwaitLoginAsync("zoe@example.test", first, works: false));

        await zoe.GetByTestId("mailbox-toggle").ClickAsync();
        await Expect(page.GetByTestId("mailbox-message")).ToContainTextAsync("zoe@example.test is disabled");
        await Expect(zoe.GetByTestId("mailbox-login")).ToHaveTextAsync("disabled");
        await Expect(zoe.GetByTestId("mailbox-toggle")).ToHaveTextAsync("Enable");
        Assert.NotNull(await dovecot.AwaitLoginAsync("zoe@example.test", second, works: false));

        await zoe.GetByTestId("mailbox-delete").ClickAsync();
        await zoe.GetByTestId("mailbox-delete-confirm").ClickAsync();
        await Expect(page.GetByTestId("mailbox-message")).ToContainTextAsync("zoe@example.test is deleted.");
        await Expect(page.GetByTestId("mailbox-row-address").Filter(new() { HasText = "zoe@example.test" })).ToHaveCountAsync(0);
        Assert.DoesNotContain(File.ReadAllLines(dovecot.PasswdFile), l => l.StartsWith("zoe@example.test:", StringComparison.Ordinal));
        Assert.Contains("legacy@example.test:{PLAIN}legacy-password:5000:5000:Legacy:/nonexistent::", File.ReadAllLines(dovecot.PasswdFile));
        Assert.Empty(s.ConsoleErrors);
        Assert.Empty(s.ExternalRequests);
    }

    private static ILocator Row(IPage page, string address) =>
        page.Locator("tr", new() { Has = page.GetByTestId("mailbox-row-address").Filter(new() { HasText = address }) });
}
