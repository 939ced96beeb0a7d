using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Monitor.Alerts;
using Monitor.Core.Alerts;
using Monitor.Dashboard;
using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Dashboard;

/// <summary>
/// One headless Debian Chromium (through Playwright, never its downloaded browsers) and one dashboard on the demo
/// scenario pulled by the real connectors into a temp ledger, served by Kestrel on 127.0.0.1, for a test class.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private PullHarness? _harness;

    public IBrowser Browser { get; private set; } = null!;
    internal DashboardTestApp App { get; private set; } = null!;
    public TempLedger Ledger => _harness!.Ledger;
    public static DateTimeOffset Now => PullHarness.Now;

    /// <summary>Where screenshots go: $TEST_ARTIFACTS, else artifacts/ beside the test assembly.</summary>
    public static string Artifacts { get; } = Directory.CreateDirectory(
        Environment.GetEnvironmentVariable("TEST_ARTIFACTS") is { Length: > 0 } dir ? dir : Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _harness = await PullHarness.StartAsync(days: 40, accounts: [("mistral", "Mistral"), ("openai", "OpenAI"), ("anthropic", "Anthropic")]);
        var results = await _harness.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None);
        Assert.All(results, r => Assert.True(r.Ok, r.Error));

        App = await DashboardTestApp.StartAsync(Now, database: _harness.Ledger.Database, services: s =>
        {
            var sources = new FixedSources(Now);
            s.AddSingleton<IBudgetGaugeSource>(sources).AddSingleton<IDeprecationSource>(sources).AddSingleton<IKeyRotationSource>(sources);
        });

        _playwright = await Playwright.CreateAsync();
        Browser = await Launch(_playwright);
    }

    public static Task<IBrowser> Launch(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"],
        });

    /// <summary>Inserts an open alert and returns its id.</summary>
    public async Task<long> AlertAsync(string kind, string severity, string title)
    {
        await using var c = await Ledger.Database.OpenAsync(CancellationToken.None);
        return await c.ExecuteScalarAsync<long>(
            """
            INSERT INTO alerts (kind, severity, status, account, title, detail, raised_at, dedup_key)
            VALUES (@kind, @severity, 'open', 'openai-test', @title, 'detail', @at, @key) RETURNING id
            """,
            new { kind, severity, title, at = Now.AddHours(-1).ToUnixTimeSeconds(), key = Guid.NewGuid().ToString("N") });
    }

    /// <summary>Inserts an open budget alert with its evidence, as the check stores one, and returns its id.</summary>
    public async Task<long> AlertWithEvidenceAsync(AlertEvidence evidence)
    {
        var alert = new AlertDecision
        {
            Kind = AlertKind.BudgetThreshold, Severity = AlertSeverity.Critical, Account = "openai-test", Title = "[Budget 100%] openai-month",
            Detail = "The month's budget is spent.", DedupKey = Guid.NewGuid().ToString("N"), Evidence = evidence,
        };
        await using var c = await Ledger.Database.OpenAsync(CancellationToken.None);
        await using var tx = await c.BeginTransactionAsync();
        var id = await AlertRepository.InsertAsync(c, tx, alert, Now.AddHours(-1), AlertStatus.Open, "immediate", CancellationToken.None);
        await tx.CommitAsync();
        return id!.Value;
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (App is not null)
            await App.DisposeAsync();
        if (_harness is not null)
            await _harness.DisposeAsync();
    }
}
