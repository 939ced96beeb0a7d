using System.Net;
using System.Net.Http.Headers;
using Microsoft.Playwright;
using Monitor.Core.Alerts;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Hosting;
using static Microsoft.Playwright.Assertions;

namespace Monitor.Tests.Dashboard;

/// <summary>The dashboard in real headless Chromium on the demo scenario; every page leaves a screenshot in artifacts.</summary>
public sealed class DashboardBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string ScriptModel = "<script>alert(1)</script>";
    private static readonly DateTimeOffset MonthStart = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Tomorrow = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Overview_DemoData_ChartsLoadAndTilesEqualLedger()
    {
        var page = await fixture.Browser.NewPageAsync();

        var response = await page.GotoAsync(Url("/"), new PageGotoOptions { WaitUntil = WaitUntilState.Load });

        Assert.Equal(200, response!.Status);
        var widths = await page.EvaluateAsync<int[]>("() => Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)");
        Assert.True(widths.Length >= 3, $"{widths.Length} charts");
        Assert.All(widths, w => Assert.Equal(DashboardChartsWidth, w));
        foreach (var (account, currency) in new[] { ("mistral-test", "EUR"), ("openai-test", "USD"), ("anthropic-test", "USD") })
        {
            var micros = await fixture.Ledger.ScalarAsync<long>(
                """
                SELECT SUM(cost_micros) FROM usage_records
                WHERE account = @account AND currency = @currency AND cost_micros IS NOT NULL AND bucket_start >= @from AND bucket_start < @to
                """, new { account, currency, from = MonthStart.ToUnixTimeSeconds(), to = Tomorrow.ToUnixTimeSeconds() });
            var expected = MoneyUnits.Display(MoneyUnits.FromMicros(micros), Enum.Parse<Currency>(currency));
            var tile = page.Locator($".tile[data-group='{account}'][data-currency='{currency}'] .mtd");
            Assert.Equal(expected, (await tile.InnerTextAsync()).Trim());
        }

        await Expect(page.Locator("[data-budget]")).ToContainTextAsync("EUR 820.00 of EUR 1,000.00 (82 %)");
        await Expect(page.Locator("#deprecations")).ToContainTextAsync(FixedSources.DeprecatedModel);
        await Expect(page.Locator("#keys-due")).ToContainTextAsync(FixedSources.DueKeyId);
        await BrowserFixture.ScreenshotAsync(page, "overview");
        await page.CloseAsync();
    }

    [Fact]
    public async Task AcknowledgeButton_OpenAlert_RemovesItFromOpenList()
    {
        var stale = await fixture.AlertAsync("stale_data", "critical", "mistral-test has not pulled for 7 h");
        var anomaly = await fixture.AlertAsync("anomaly", "warning", "key-x spends 10x its baseline");
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(Url("/"));
        var rows = page.Locator("#alerts tbody tr");
        Assert.Equal(anomaly.ToString(System.Globalization.CultureInfo.InvariantCulture), await rows.First.GetAttributeAsync("data-alert")); // anomalies first

        await page.Locator($"tr[data-alert='{stale}'] button[name=ack]").ClickAsync();

        await Expect(page.Locator($"tr[data-alert='{stale}']")).ToHaveCountAsync(0);
        await Expect(page.Locator($"tr[data-alert='{anomaly}']")).ToHaveCountAsync(1);
        Assert.Equal("acknowledged", await fixture.Ledger.ScalarAsync<string>("SELECT status FROM alerts WHERE id = @stale", new { stale }));
        await BrowserFixture.ScreenshotAsync(page, "overview-after-ack");
        await page.CloseAsync();
    }

    [Fact]
    public async Task MuteButton_OpenAlert_MutesUntilDateAndRemovesIt()
    {
        var id = await fixture.AlertAsync("anomaly", "critical", "planned load test");
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(Url("/"));
        var row = page.Locator($"tr[data-alert='{id}']");

        await row.Locator("input[name=until]").FillAsync("2026-11-30");
        await row.Locator("input[name=reason]").FillAsync("load test");
        await row.Locator("button[name=mute]").ClickAsync();

        await Expect(page.Locator($"tr[data-alert='{id}']")).ToHaveCountAsync(0);
        var until = await fixture.Ledger.ScalarAsync<long>("SELECT until_at FROM mutes WHERE alert_id = @id", new { id });
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), until);
        await page.CloseAsync();
    }

    [Fact]
    public async Task AlertLink_OpenAlertWithEvidence_PageShowsRunbookAndChart()
    {
        var id = await fixture.AlertWithEvidenceAsync(new AlertEvidence
        {
            Facts = [new AlertFact("Spent", "USD 420.00")],
            Runbook = ["Find the key in the top keys", "Rotate it"],
            Chart = new AlertChart
            {
                Title = "Spend this month", Unit = "USD",
                Series = [new AlertChartSeries("spend", [new AlertChartPoint(MonthStart, 10), new AlertChartPoint(BrowserFixture.Now, 420)])],
            },
        });
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(Url("/"));

        await page.Locator($"tr[data-alert='{id}'] a").ClickAsync();

        await Expect(page).ToHaveURLAsync(Url($"/alerts/{id}"));
        await Expect(page.Locator("ol.runbook li")).ToHaveTextAsync(["Find the key in the top keys", "Rotate it"]);
        await Expect(page.Locator("#alert button[name=ack]")).ToBeVisibleAsync();
        var widths = await page.EvaluateAsync<int[]>("() => Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)");
        Assert.Equal([Monitor.Alerts.AlertChartRenderer.Width], widths);
        await BrowserFixture.ScreenshotAsync(page, "alert-page");
        await page.CloseAsync();
    }

    [Fact]
    public async Task ModelNamedScriptTag_RendersAsTextWithoutDialog()
    {
        await LedgerSeed.WriteAsync(fixture.Ledger.Database, BrowserFixture.Now,
            LedgerSeed.Day("xss-test", ProviderKind.OpenAI, ScriptModel, new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero), 90_000m, Currency.USD));
        var page = await fixture.Browser.NewPageAsync();
        var dialogs = 0;
        page.Dialog += (_, dialog) =>
        {
            dialogs++;
            _ = dialog.DismissAsync();
        };

        await page.GotoAsync(Url("/"));

        await Expect(page.Locator("#panel-4")).ToContainTextAsync(ScriptModel);
        Assert.Equal(0, dialogs);
        await BrowserFixture.ScreenshotAsync(page, "overview-script-model");
        await page.CloseAsync();
    }

    [Fact]
    public async Task DrillDown_ModelPage_ShowsChartTableAndCsv()
    {
        var page = await fixture.Browser.NewPageAsync();

        var response = await page.GotoAsync(Url("/drill?account=openai-test&from=2026-11-01&to=2026-11-22"));

        Assert.Equal(200, response!.Status);
        var widths = await page.EvaluateAsync<int[]>("() => Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)");
        Assert.NotEmpty(widths);
        Assert.All(widths, w => Assert.Equal(DashboardChartsWidth, w));
        Assert.True(await page.Locator("#drill-table tbody tr").CountAsync() > 0);
        await BrowserFixture.ScreenshotAsync(page, "drill-account");
        await page.CloseAsync();
    }

    [Theory]
    [InlineData("/drill?model=gpt-4o&from=2026-13-01", "from: '2026-13-01' is not a date (yyyy-MM-dd).")]
    [InlineData("/drill?model=no-such-model", "model: 'no-such-model' has no usage in the ledger.")]
    [InlineData("/drill?key=a&model=b", "Give exactly one of account=, key= or model=.")]
    public async Task BadQueryParameter_Returns400WithMessage(string path, string message)
    {
        var page = await fixture.Browser.NewPageAsync();

        var response = await page.GotoAsync(Url(path));

        Assert.Equal(400, response!.Status);
        Assert.Equal(message, await response.TextAsync());
        await page.CloseAsync();
    }

    [Fact]
    public async Task BoundBeyondLoopback_RequestWithoutToken_IsRefused()
    {
        var variable = "MONITOR_TEST_DASH_TOKEN_" + Guid.NewGuid().ToString("N");
        var token = Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, token);
        await using var app = await DashboardTestApp.StartAsync(BrowserFixture.Now, database: fixture.Ledger.Database,
            urls: "http://0.0.0.0:0", auth: new DashboardAuthOptions { TokenEnv = variable });

        using var anonymous = await app.Client.GetAsync("/");
        using var wrong = await Send(app.Client, "/metrics", "Bearer " + token + "x");
        using var health = await app.Client.GetAsync("/healthz");
        using var authorised = await Send(app.Client, "/metrics", "Bearer " + token);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, authorised.StatusCode);

        var url = app.Client.BaseAddress!.ToString();
        var page = await fixture.Browser.NewPageAsync();
        Assert.Equal(401, (await page.GotoAsync(url))!.Status);
        await page.CloseAsync();
        await using var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token },
        });
        var signedIn = await context.NewPageAsync();
        Assert.Equal(200, (await signedIn.GotoAsync(url))!.Status);
        await BrowserFixture.ScreenshotAsync(signedIn, "overview-with-token");
    }

    private const int DashboardChartsWidth = Monitor.Dashboard.DashboardCharts.Width;

    private string Url(string path) => fixture.App.Client.BaseAddress + path.TrimStart('/');

    private static Task<HttpResponseMessage> Send(HttpClient client, string path, string authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
        return client.SendAsync(request);
    }
}
