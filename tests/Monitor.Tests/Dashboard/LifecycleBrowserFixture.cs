using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Monitor.Dashboard;
using Monitor.Tests.Support;

namespace Monitor.Tests.Dashboard;

/// <summary>
/// The demo scenario pulled by the real connectors (Mistral, OpenAI, Anthropic) into a temp ledger, and a dashboard on
/// it whose deprecation and key sources are the product's own (the ones <c>AddMonitorChecks</c> registers, on the
/// same ledger and options as the checks), in headless Chromium.
/// </summary>
public sealed class LifecycleBrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public PullHarness Harness { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    internal DashboardTestApp App { get; private set; } = null!;
    public IDeprecationSource Deprecations => Harness.Get<IDeprecationSource>();
    public IKeyRotationSource Keys => Harness.Get<IKeyRotationSource>();
    public static DateTimeOffset Now => PullHarness.Now;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Harness = await PullHarness.StartAsync(days: 40, accounts: [("mistral", "Mistral"), ("openai", "OpenAI"), ("anthropic", "Anthropic")]);
        var results = await Harness.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None);
        Assert.All(results, r => Assert.True(r.Ok, r.Error));

        App = await DashboardTestApp.StartAsync(Now, database: Harness.Ledger.Database, services: s =>
            s.AddSingleton(Deprecations).AddSingleton(Keys));
        _playwright = await Playwright.CreateAsync();
        Browser = await BrowserFixture.Launch(_playwright);
    }

    public string Url(string path) => App.Client.BaseAddress + path.TrimStart('/');

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (App is not null)
            await App.DisposeAsync();
        if (Harness is not null)
            await Harness.DisposeAsync();
    }
}
