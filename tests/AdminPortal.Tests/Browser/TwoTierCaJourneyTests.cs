using System.Text.RegularExpressions;
using AdminPortal.Data.Audit;
using AdminPortal.Pki;
using AdminPortal.Web.Pki;
using AdminPortal.Web.Security;
using static Microsoft.Playwright.Assertions;

namespace AdminPortal.Tests.Browser;

/// <summary>The CA page creating a root with an issuing intermediate, on a portal of its own (it starts without a CA).</summary>
[Collection("Browser")]
public sealed class TwoTierCaJourneyTests(BrowserPortal portal) : IClassFixture<BrowserPortal>
{
    [Fact]
    public async Task Admin_creates_a_root_with_an_issuing_intermediate_and_the_page_shows_both_cas_and_their_crls()
    {
        var admin = await portal.CreateOperatorAsync(Roles.Admin, email: "admin@example.test");
        await using var s = await portal.NewSessionAsync("pki-two-tier");
        var page = s.Page;
        await s.SignInAsync(admin);
        await page.GotoAsync("/ca");
        await s.WaitForInteractiveAsync();

        await page.GetByTestId("ca-name").FillAsync("example-root");
        await Expect(page.GetByTestId("intermediate-name")).ToHaveCountAsync(0);
        await page.GetByTestId("ca-with-intermediate").CheckAsync();
        // The same name for both is refused inline, next to the intermediate's name; nothing is created.
        await page.GetByTestId("intermediate-name").FillAsync("example-root");
        await page.GetByTestId("ca-create-button").ClickAsync();
        await Expect(page.GetByTestId("ca-create")).ToContainTextAsync("must differ from the root's");
        await page.GetByTestId("intermediate-name").FillAsync("example-issuing");
        await page.GetByTestId("ca-create-button").ClickAsync();

        await Expect(page.GetByTestId("intermediate-ca-details")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("intermediate-ca-subject")).ToHaveTextAsync("CN=example-issuing");
        await Expect(page.GetByTestId("intermediate-ca-role")).ToContainTextAsync("Issuing intermediate");
        await Expect(page.GetByTestId("intermediate-ca-not-after")).ToContainTextAsync(new Regex(@"1,82\d days left"));
        await Expect(page.GetByTestId("ca-subject")).ToHaveTextAsync("CN=example-root");
        await Expect(page.GetByTestId("ca-not-after")).ToContainTextAsync(new Regex(@"3,6\d\d days left"));
        await Expect(page.GetByTestId("intermediate-crl-number")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("crl-number")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("intermediate-crl-next-update")).ToContainTextAsync("runs out in 30 days");

        var chain = await page.APIRequest.GetAsync(await page.GetByTestId("ca-pem").GetAttributeAsync("href") ?? "missing-href");
        Assert.Equal(2, Pem.ReadAll(await chain.TextAsync(), "CERTIFICATE").Count);
        var crls = await page.APIRequest.GetAsync(await page.GetByTestId("crl-pem").GetAttributeAsync("href") ?? "missing-href");
        Assert.Equal(2, Pem.ReadAll(await crls.TextAsync(), "X509 CRL").Count);
        await PkiJourneyTests.DismissSnackbarsAsync(page);
        await s.ScreenshotAsync("two-tier-ca");

        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("/ca");
        await Expect(page.GetByTestId("intermediate-ca-details")).ToBeVisibleAsync();
        await s.WaitForInteractiveAsync();
        Assert.True(await s.FitsTheViewportAsync(), "/ca scrolls horizontally at 390 px");
        Assert.Empty(s.ConsoleErrors);
        Assert.Empty(s.ExternalRequests);
    }
}

/// <summary>The CA page adding an issuing intermediate to a root that exists already, on a portal of its own.</summary>
[Collection("Browser")]
public sealed class IntermediateLaterJourneyTests(BrowserPortal portal) : IClassFixture<BrowserPortal>
{
    [Fact]
    public async Task Admin_adds_an_issuing_intermediate_to_a_root_only_ca_from_the_ca_page()
    {
        Assert.True((await portal.Service<CaService>().CreateAsync("later-root", null, null, AuditActor.System, default)).Ok);
        var admin = await portal.CreateOperatorAsync(Roles.Admin, email: "admin@example.test");
        await using var s = await portal.NewSessionAsync("pki-intermediate-later");
        var page = s.Page;
        await s.SignInAsync(admin);
        await page.GotoAsync("/ca");
        await s.WaitForInteractiveAsync();
        await Expect(page.GetByTestId("ca-role")).ToContainTextAsync("Root CA (signs the certificates)");

        await page.GetByTestId("intermediate-name").FillAsync("later-root");
        await page.GetByTestId("intermediate-create-button").ClickAsync();
        await Expect(page.GetByTestId("intermediate-create")).ToContainTextAsync("must differ from the root's");
        await page.GetByTestId("intermediate-name").FillAsync("later-issuing");
        await page.GetByTestId("intermediate-create-button").ClickAsync();

        await Expect(page.GetByTestId("intermediate-ca-subject")).ToHaveTextAsync("CN=later-issuing");
        await Expect(page.GetByTestId("ca-role")).ToContainTextAsync("signs the intermediate");
        await Expect(page.GetByTestId("intermediate-create")).ToHaveCountAsync(0);
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Added the issuing intermediate 'later-issuing'");
        Assert.Empty(s.ConsoleErrors);
    }
}
