using AdminPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Playwright;

namespace AdminPortal.Tests.Browser;

/// <summary>
/// The portal on real Kestrel (127.0.0.1, a free port) and one headless Debian Chromium for a test class.
/// Each test opens its own browser context (its own cookies); the browser closes and the server stops in Dispose.
/// </summary>
public sealed class BrowserPortal : KestrelPortal, IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    public IBrowser Browser { get; private set; } = default!;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // Outside Development, a build (not a publish) serves package assets (MudBlazor, blazor.web.js) only
        // through the static web assets manifest; without it those requests fail with 500.
        builder.UseStaticWebAssets();
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();

        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException(
                $"Browser tests need Debian's Chromium at {ChromiumPath} (Playwright cannot download browsers here). " +
                "Install it with: apt-get -o DPkg::Lock::Timeout=120 install -y chromium");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        // The machine is shared and slow: give Blazor's circuit time to connect rather than failing early.
        Assertions.SetDefaultExpectTimeout(20_000);
    }

    /// <summary>A fresh browser context (no cookies) at a laptop viewport, recording console errors.</summary>
    public async Task<BrowserSession> NewSessionAsync(string name, int width = 1280, int height = 800)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        var session = new BrowserSession(context, page, name);
        session.Listen();
        return session;
    }

    public override async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        await base.DisposeAsync();
    }
}
