using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Ledger.Web.Tests;

/// <summary>
/// Debian's Chromium driven by Playwright (its own browser download is not used: <c>ExecutablePath</c>, headless).
/// <c>LEDGER_CHROMIUM</c> overrides the path. Screenshots go to <c>LEDGER_SCREENSHOTS</c> when set (docs/screenshots is
/// made that way), else beside the test results.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Chromium { get; private set; } = null!;
    public ServiceProcess Service { get; } = new();

    public async Task InitializeAsync()
    {
        var path = Environment.GetEnvironmentVariable("LEDGER_CHROMIUM") is { Length: > 0 } p ? p
            : new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
              ?? throw new InvalidOperationException("Chromium not found: install Debian's 'chromium' package (apt-get install chromium) or set LEDGER_CHROMIUM.");
        await Service.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        Chromium = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        });
    }

    private static readonly Regex SignInPage = new("/masuk");

    /// <summary>How long a page's step may take: the context's actions and the sign-in's wait (assertions have their own default).</summary>
    private const float StepTimeoutMs = 20_000;

    /// <summary>A fresh browser profile (its own cookies) signed in with <paramref name="token"/>, or signed out when null.</summary>
    public async Task<IPage> OpenAsync(string? token)
    {
        var context = await Chromium.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Service.BaseAddress.ToString(), AcceptDownloads = true, ViewportSize = new ViewportSize { Width = 1360, Height = 900 },
            Locale = "id-ID", TimezoneId = "Asia/Jakarta",
        });
        context.SetDefaultTimeout(StepTimeoutMs);
        var page = await context.NewPageAsync();
        if (token is not null)
        {
            await page.GotoAsync("/masuk");
            await page.FillAsync("#token", token);
            await page.ClickAsync("button[type=submit]");
            // The URL is polled; no load event is awaited. WaitForURLAsync, when the URL already matches, waits for the
            // frame's "load" state instead (its check and its subscription are two steps): a CI run timed out there
            // after 20 s having seen only "NetworkIdle". The callers' next steps wait for their own pages and elements.
            await Assertions.Expect(page).Not.ToHaveURLAsync(SignInPage, new() { Timeout = StepTimeoutMs });
        }
        return page;
    }

    /// <summary>The visible part of the page, from the top, or from <paramref name="focus"/> when given.</summary>
    public static async Task ScreenshotAsync(IPage page, string name, ILocator? focus = null)
    {
        var folder = Environment.GetEnvironmentVariable("LEDGER_SCREENSHOTS") is { Length: > 0 } f ? f
            : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        if (focus is null) await page.EvaluateAsync("window.scrollTo(0, 0)");
        else await focus.EvaluateAsync("e => e.scrollIntoView({ block: 'center' })");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = false });
    }

    public async Task DisposeAsync()
    {
        if (Chromium is not null) await Chromium.CloseAsync();
        _playwright?.Dispose();
        await Service.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<Browser>
{
    public const string Name = "browser";
}
