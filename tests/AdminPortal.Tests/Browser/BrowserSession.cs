using AdminPortal.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminPortal.Tests.Browser;

/// <summary>One browser context and page for a test, with the steps the journeys share and screenshots.</summary>
public sealed class BrowserSession(IBrowserContext context, IPage page, string name) : IAsyncDisposable
{
    /// <summary>Every step's screenshot, kept as a test artifact next to the test binaries.</summary>
    public static string ArtifactDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>The set the README shows.</summary>
    public static string ReadmeDirectory { get; } = Path.Combine(Repo.Root, "tests", "screenshots");

    public IPage Page { get; } = page;
    public List<string> ConsoleErrors { get; } = [];

    /// <summary>Requests that left the machine (fonts, CDNs): a self-hosted portal must make none.</summary>
    public List<string> ExternalRequests { get; } = [];
    private readonly List<string> _console = [];
    private int _step;

    /// <summary>Records the page's console (written next to the screenshots) and its errors.</summary>
    public void Listen()
    {
        Page.Console += (_, m) =>
        {
            _console.Add($"{m.Type}: {m.Text}");
            if (m.Type == "error") ConsoleErrors.Add(m.Text);
        };
        Page.Request += (_, r) =>
        {
            _console.Add($"request {r.ResourceType} {r.Method} {r.Url}");
            if (new Uri(r.Url) is { Scheme: "http" or "https" } u && u.Host != "127.0.0.1") ExternalRequests.Add(r.Url);
        };
        Page.Response += (_, r) => { if (r.Status >= 400) _console.Add($"http {r.Status}: {r.Request.Method} {r.Url}"); };
        Page.PageError += (_, e) => { _console.Add("pageerror: " + e); ConsoleErrors.Add(e); };
    }

    /// <summary>Password, then the TOTP code from Otp.NET, through the real static login pages.</summary>
    public async Task SignInAsync(TestOperator op, bool forReadme = false)
    {
        await Page.GotoAsync("/");
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login\\?"));
        await Page.Locator("#email").FillAsync(op.Email);
        await Page.Locator("#password").FillAsync(op.Password);
        await ScreenshotAsync("login", readme: forReadme ? "login" : null);
        await Page.Locator("#sign-in").ClickAsync();

        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login-2fa"));
        await Page.Locator("#code").FillAsync(op.Code());
        await ScreenshotAsync("second-factor", readme: forReadme ? "login-2fa" : null);
        await Page.Locator("#verify").ClickAsync();
        await Expect(Page.Locator("#dashboard-title")).ToBeVisibleAsync();
        // A link clicked before the circuit connects becomes an enhanced (server-side) navigation whose page
        // may never turn interactive: journeys start only once the circuit is up.
        await WaitForInteractiveAsync();
    }

    /// <summary>Waits for the circuit: the layout renders its menu toggle disabled until the page is interactive.</summary>
    public Task WaitForInteractiveAsync() => Expect(Page.GetByLabel("Toggle navigation")).ToBeEnabledAsync();

    /// <summary>
    /// Picks an item of the open autocomplete or select list and waits until the list has closed. On a loaded machine
    /// a click that lands while the list re-renders can be lost (the list stays open, nothing picked), so the click is
    /// repeated while the item is still offered, three times at most.
    /// </summary>
    public async Task PickAsync(string itemText)
    {
        var item = Page.Locator(".mud-popover-open .mud-list-item", new() { HasText = itemText });
        for (var attempt = 1; ; attempt++)
        {
            await item.First.ClickAsync();
            try
            {
                await Expect(Page.Locator(".mud-popover-open")).ToHaveCountAsync(0, new() { Timeout = 5_000 });
                return;
            }
            catch (PlaywrightException) when (attempt < 3)
            {
                if (await item.CountAsync() == 0) throw; // open, but no longer offering the item: not a lost click
            }
        }
    }

    public async Task ScreenshotAsync(string step, string? readme = null)
    {
        Directory.CreateDirectory(Path.Combine(ArtifactDirectory, name));
        var file = Path.Combine(ArtifactDirectory, name, $"{++_step:00}-{step}.png");
        // Transitions finished (MudBlazor fades buttons and tables in), so the picture shows the state the test just checked.
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = file, Animations = ScreenshotAnimations.Disabled });
        if (readme is null) return;
        // Written only when asked (or missing), so that a test run does not dirty the checkout.
        var target = Path.Combine(ReadmeDirectory, readme + ".png");
        if (Environment.GetEnvironmentVariable("ADMINPORTAL_README_SCREENSHOTS") == "1" || !File.Exists(target))
        {
            Directory.CreateDirectory(ReadmeDirectory);
            File.Copy(file, target, overwrite: true);
        }
    }

    /// <summary>True when nothing on the page is wider than the viewport (no horizontal scrolling).</summary>
    public Task<bool> FitsTheViewportAsync() =>
        Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth");

    public async ValueTask DisposeAsync()
    {
        await context.CloseAsync();
        Directory.CreateDirectory(Path.Combine(ArtifactDirectory, name));
        await File.WriteAllLinesAsync(Path.Combine(ArtifactDirectory, name, "console.log"), _console);
    }
}
