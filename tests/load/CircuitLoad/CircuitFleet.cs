using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;

namespace AdminPortal.Load;

/// <summary>
/// One page per operator, that is one Blazor Server circuit each, PagesPerContext pages to a browser context. Each
/// operator reaches the portal under a host name of its own (op-N.example.com, all mapped to the portal's loopback
/// address inside Chromium), so each page sends only its operator's session cookie, and the pages of a context, being
/// of one site, can share a few renderer processes (one context per operator would cost a renderer process each:
/// about 80 MB per page). Several contexts, because a context is one network profile, and Chromium keeps at most 256
/// sockets in a profile's pool, WebSockets included: with every circuit's WebSocket plus the pages' keep-alive
/// connections in one context, the last few of 200 pages waited for a socket and never became interactive.
/// Every step checks what the page shows, so a circuit that did not start or render counts as an error.
/// </summary>
public sealed class CircuitFleet(IBrowser browser, Uri portal, int expectedOperators, int expectedUsers, string work) : IAsyncDisposable
{
    /// <summary>Pages in one browser context: their WebSockets and keep-alive connections stay well within its 256-socket pool.</summary>
    public const int PagesPerContext = 25;
    private readonly List<(IPage Page, LoadOperator Op)> _open = [];
    private readonly List<IBrowserContext> _contexts = [];
    private readonly SemaphoreSlim _contextLock = new(1, 1);
    private int _pagesCreated;
    private IBrowserContext? _probeContext;
    private int _consoleErrors;
    private int _round;
    public List<string> Errors { get; } = [];
    public int Open => _open.Count;
    public int ConsoleErrors => _consoleErrors;

    /// <summary>The first few console errors' texts, for the report.</summary>
    public List<string> ConsoleSamples { get; } = [];

    /// <summary>Every host name resolves to the loopback address: nothing can leave the machine.</summary>
    public static string[] ChromiumArgs =>
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-dev-shm-usage", "--disable-extensions", "--disable-renderer-backgrounding", "--disable-background-timer-throttling",
         "--disable-backgrounding-occluded-windows", "--host-resolver-rules=MAP * 127.0.0.1", "--renderer-process-limit=8"];

    /// <summary>The operator's own origin for the portal: same port, its own host name.</summary>
    public string Url(LoadOperator op, string path) => $"http://{op.Email.Split('@')[0]}.example.com:{portal.Port}{path}";

    public async Task<IPage> NewPageAsync(LoadOperator op, bool track = true)
    {
        var context = await ContextForAsync(track);
        await context.AddCookiesAsync(op.Session.GetCookies(portal).Select(c => new Cookie
        {
            Name = c.Name, Value = c.Value, Url = Url(op, "/"), HttpOnly = c.HttpOnly, Secure = c.Secure, SameSite = SameSiteAttribute.Strict,
        }));
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(120_000);
        page.Console += (_, m) => { if (m.Type == "error") ConsoleError(m.Text); };
        page.PageError += (_, e) => ConsoleError(e);
        if (track) lock (_open) _open.Add((page, op));
        return page;
    }

    /// <summary>The fleet's pages fill contexts PagesPerContext at a time; the probe's pages have a context of their own.</summary>
    private async Task<IBrowserContext> ContextForAsync(bool track)
    {
        await _contextLock.WaitAsync();
        try
        {
            if (!track) return _probeContext ??= await NewContextAsync();
            if (_pagesCreated++ % PagesPerContext == 0) _contexts.Add(await NewContextAsync());
            return _contexts[^1];
        }
        finally { _contextLock.Release(); }
    }

    private async Task<IBrowserContext> NewContextAsync() =>
        await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 800 } });

    /// <summary>Opens the dashboard in a circuit and waits until it is interactive and shows the operator count.</summary>
    public async Task OpenDashboardsAsync(IReadOnlyList<LoadOperator> ops, int parallel, CancellationToken ct) =>
        await Parallel.ForEachAsync(ops, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, async (op, _) =>
            await Step(op, "dashboard", async () => await DashboardAsync(await NewPageAsync(op), op)));

    public async Task DashboardAsync(IPage page, LoadOperator op) => await Diagnosed(page, "dashboard", async () =>
    {
        await page.GotoAsync(Url(op, "/"));
        await page.Locator("#dashboard-title").WaitForAsync();
        await Assertions.Expect(page.GetByLabel("Toggle navigation")).ToBeEnabledAsync(new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("[data-testid=fig-operators]")).ToContainTextAsync(expectedOperators.ToString("N0", CultureInfo.InvariantCulture), new() { Timeout = 120_000 });
    });

    /// <summary>Every open circuit navigates (inside the circuit, no page load) to the VPN users list and shows its first page.</summary>
    public async Task ToUsersListAsync(int parallel, CancellationToken ct) =>
        await Parallel.ForEachAsync(Snapshot(), new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, async (o, _) =>
            await Step(o.Op, "users list", async () =>
            {
                await o.Page.EvaluateAsync("() => Blazor.navigateTo('/vpn-users')");
                await UsersShownAsync(o.Page);
            }));

    public async Task UsersShownAsync(IPage page) => await Diagnosed(page, "users", async () =>
    {
        await Assertions.Expect(page.Locator("[data-testid=user-link]")).ToHaveCountAsync(25, new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("[data-testid=user-link]").First).ToHaveTextAsync(PortalClient.UserName(0), new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator(".mud-table-pagination-caption").Filter(new() { HasText = " of " })).ToHaveTextAsync($"1-25 of {expectedUsers.ToString("N0", CultureInfo.InvariantCulture)}", new() { Timeout = 120_000 });
    });

    /// <summary>A failed check leaves the page's screenshot and HTML in the work folder (kept on failure).</summary>
    private async Task Diagnosed(IPage page, string what, Func<Task> check)
    {
        try { await check(); }
        catch (PlaywrightException)
        {
            var file = Path.Combine(work, $"failed-{what}-{Guid.NewGuid():N}"[..40]);
            await page.ScreenshotAsync(new() { Path = file + ".png" });
            await File.WriteAllTextAsync(file + ".html", $"<!-- {page.Url} -->\n" + await page.ContentAsync());
            throw;
        }
    }

    /// <summary>Every circuit searches a user (an event, a query, a render) and shows only that one; returns the round's duration.</summary>
    public async Task<TimeSpan> SearchRoundAsync(int parallel, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var i = Interlocked.Increment(ref _round) * 1000; // other names every round: the same text again changes nothing
        await Parallel.ForEachAsync(Snapshot(), new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, async (o, _) =>
        {
            var name = PortalClient.UserName(Interlocked.Increment(ref i) * 7 % expectedUsers);
            await Step(o.Op, "search", async () =>
            {
                await o.Page.GetByTestId("user-search").FillAsync(name);
                await Assertions.Expect(o.Page.Locator("[data-testid=user-link]")).ToHaveCountAsync(1, new() { Timeout = 120_000 });
                await Assertions.Expect(o.Page.Locator("[data-testid=user-link]")).ToHaveTextAsync(name, new() { Timeout = 120_000 });
            });
        });
        return sw.Elapsed;
    }

    /// <summary>Closes every page.</summary>
    public async ValueTask DisposeAsync()
    {
        await Parallel.ForEachAsync(Snapshot(), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (o, _) =>
        {
            await ClosePageAsync(o.Page);
        });
        lock (_open) _open.Clear();
        foreach (var c in _contexts) await c.CloseAsync();
        _contexts.Clear();
        _pagesCreated = 0;
    }

    /// <summary>Leaves the page first: its unload tells the portal to end the circuit at once.</summary>
    public static async Task ClosePageAsync(IPage page)
    {
        try { await page.GotoAsync("about:blank", new() { Timeout = 60_000 }); } catch (PlaywrightException) { }
        await page.CloseAsync();
    }

    private void ConsoleError(string text)
    {
        // The portal's Cross-Origin-Opener-Policy is ignored over plain HTTP on a host name that is not loopback's:
        // an effect of the per-operator host names here, not of the portal.
        if (text.Contains("Cross-Origin-Opener-Policy header has been ignored", StringComparison.Ordinal)) return;
        Interlocked.Increment(ref _consoleErrors);
        lock (ConsoleSamples) if (ConsoleSamples.Count < 5) ConsoleSamples.Add(text.Split('\n')[0]);
    }

    private List<(IPage Page, LoadOperator Op)> Snapshot() { lock (_open) return [.. _open]; }

    private async Task Step(LoadOperator op, string what, Func<Task> step)
    {
        try { await step(); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            lock (Errors) Errors.Add($"{op.Email} {what}: {e.Message.Split('\n')[0]}");
        }
    }
}
