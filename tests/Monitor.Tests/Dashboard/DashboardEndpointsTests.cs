using System.Net;
using System.Text.RegularExpressions;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Storage;

namespace Monitor.Tests.Dashboard;

public sealed partial class DashboardEndpointsTests
{
    private const string ScriptModel = "<script>alert(1)</script>";
    private static readonly DateTimeOffset Now = new(2025, 6, 15, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public async Task Overview_UsageInTwoCurrencies_ShowsMonthToDateTotalsPerCurrency()
    {
        await using var app = await DashboardTestApp.StartAsync(Now, SeedAsync);

        var html = await app.Client.GetStringAsync("/");

        var monthToDate = Section(html, "panel-0");
        Assert.Contains("mistral-eu", monthToDate);
        Assert.Contains("EUR 161.20", monthToDate);   // 100.00 + 61.20 in June; May's 50.00 is outside the month
        Assert.Contains("USD 42.50", monthToDate);    // 40.25 + 2.25
        Assert.DoesNotContain("EUR 211.20", monthToDate);
        Assert.DoesNotContain("203.70", monthToDate); // never EUR + USD
        Assert.Contains("unpriced", monthToDate);     // the unpriced June bucket is counted apart, not as zero
    }

    [Fact]
    public async Task Overview_TopModelsOver30Days_IncludesEarlierMonthAndKeyFingerprint()
    {
        await using var app = await DashboardTestApp.StartAsync(Now, SeedAsync);

        var html = await app.Client.GetStringAsync("/");

        Assert.Contains("EUR 150.00", Section(html, "panel-4")); // mistral-large: 100.00 (June) + 50.00 (May)
        var keys = Section(html, "panel-3");
        Assert.Contains("key-a", keys);
        Assert.Contains("fp-1234…abcd", keys);
    }

    [Fact]
    public async Task Overview_EveryChartUrl_ReturnsPng()
    {
        await using var app = await DashboardTestApp.StartAsync(Now, SeedAsync);
        var html = await app.Client.GetStringAsync("/");

        var urls = ImageSource().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();

        Assert.Contains("/charts/overview/2.png?currency=EUR", urls);
        Assert.Contains("/charts/overview/2.png?currency=USD", urls);
        Assert.Contains("/charts/overview/5.png", urls);
        foreach (var url in urls)
        {
            using var response = await app.Client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(PngSignature, bytes[..8]);
            Assert.True(bytes.Length > 5_000, $"{url}: {bytes.Length} bytes");
        }
    }

    [Fact]
    public async Task Overview_ModelNamedScriptTag_RendersAsText()
    {
        await using var app = await DashboardTestApp.StartAsync(Now, SeedAsync);

        using var response = await app.Client.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.DoesNotContain(ScriptModel, html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", Section(html, "unpriced"));
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task Overview_PullRunsAndLimits_ShowsFreshnessAndSpendLimits()
    {
        await using var app = await DashboardTestApp.StartAsync(Now, SeedAsync);

        var html = await app.Client.GetStringAsync("/");

        var freshness = Section(html, "freshness");
        Assert.Contains("2025-06-15 09:00 UTC", freshness);
        Assert.Contains("failing", freshness);
        Assert.Contains("HTTP 429 &lt;rate limited&gt;", freshness);
        var limits = Section(html, "spend-limits");
        Assert.Contains("USD 42.50", limits);
        Assert.Contains("USD 100.00", limits);
        Assert.Contains("42.5 %", limits);
    }

    [Fact]
    public async Task Overview_LastGoodPullOlderThanStaleAfter_ShowsStale()
    {
        await using var app = await DashboardTestApp.StartAsync(Now, async database =>
        {
            await LedgerSeed.PullRunAsync(database, "fresh-account", Now.AddHours(-1), "ok");
            await LedgerSeed.PullRunAsync(database, "old-account", Now.AddHours(-7), "ok");
        });

        var freshness = Section(await app.Client.GetStringAsync("/"), "freshness");

        Assert.Matches("fresh-account</td><td><span class=\"badge ok\">ok<", freshness);
        Assert.Matches("old-account</td><td><span class=\"badge bad\">stale<", freshness);
    }

    [Fact]
    public async Task Overview_MonthToDateBucket_DataReachesItsIngestionNotTheMonthStart()
    {
        var ingested = Now.AddMinutes(-20);
        await using var app = await DashboardTestApp.StartAsync(Now, database => LedgerSeed.WriteAsync(database, ingested,
            LedgerSeed.Day("mistral-eu", ProviderKind.Mistral, "mistral-large-2512", new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero), 12m, Currency.EUR)
                with { BucketWidth = BucketWidth.Month },
            LedgerSeed.Day("openai-us", ProviderKind.OpenAI, "gpt-4o", new DateTimeOffset(2025, 6, 14, 0, 0, 0, TimeSpan.Zero), 1m, Currency.USD)));

        var freshness = Section(await app.Client.GetStringAsync("/"), "freshness");

        Assert.Contains("2025-06-15 11:40 UTC", freshness); // mistral-eu: complete up to its pull, not "14 days ago"
        Assert.Contains("2025-06-15 00:00 UTC", freshness); // openai-us: the end of its newest day
        Assert.DoesNotContain("2025-06-01 00:00 UTC", freshness);
    }

    [Fact]
    public async Task Overview_EmptyLedger_RendersWithoutCharts()
    {
        await using var app = await DashboardTestApp.StartAsync(Now);

        var html = await app.Client.GetStringAsync("/");

        Assert.Contains("No priced usage in this window.", html);
        Assert.Contains("No account has been pulled or imported yet.", html);
        using var tokens = await app.Client.GetAsync("/charts/overview/5.png");
        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
    }

    [Fact]
    public async Task DashboardPage_KnownSlug_ReturnsPage()
    {
        await using var app = await DashboardTestApp.StartAsync(Now, SeedAsync);

        var html = await app.Client.GetStringAsync("/dashboards/overview");

        Assert.Contains("<h1>Overview</h1>", html);
    }

    [Fact]
    public async Task DashboardPage_UnknownSlug_Returns404()
    {
        await using var app = await DashboardTestApp.StartAsync(Now);

        using var page = await app.Client.GetAsync("/dashboards/nope");
        using var chart = await app.Client.GetAsync("/charts/nope/0.png");

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, chart.StatusCode);
    }

    [Theory]
    [InlineData("/charts/overview/2.png?currency=GBP", "GBP")]
    [InlineData("/charts/overview/2.png?currency=eur", "eur")]
    [InlineData("/charts/overview/2.png", "currency")]
    [InlineData("/charts/overview/9.png?currency=EUR", "'9'")]
    [InlineData("/charts/overview/-1.png?currency=EUR", "'-1'")]
    [InlineData("/charts/overview/x.png?currency=EUR", "'x'")]
    [InlineData("/charts/overview/0.png?currency=EUR", "list")]
    public async Task Chart_BadPanelOrCurrency_Returns400WithMessage(string url, string mentioned)
    {
        await using var app = await DashboardTestApp.StartAsync(Now, SeedAsync);

        using var response = await app.Client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(mentioned, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Healthz_DatabaseAnswers_Returns200Ok()
    {
        await using var app = await DashboardTestApp.StartAsync(Now);

        using var response = await app.Client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Start_BadPageFile_FailsNamingFileAndField()
    {
        const string json = """
            {"slug":"overview","title":"Overview","panels":[
              {"title":"a","metric":"cost","grouping":"account","window":"mtd","kind":"table"},
              {"title":"b","metric":"cost","grouping":"model","window":"90d","kind":"stacked_bar"},
              {"title":"c","metric":"cost","grouping":"key","window":"30d","kind":"pie"}]}
            """;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => DashboardTestApp.StartAsync(Now, pagesDirectory: folder =>
        {
            var pages = Directory.CreateDirectory(Path.Combine(folder, "dashboards")).FullName;
            File.WriteAllText(Path.Combine(pages, "overview.json"), json);
            return pages;
        }));

        Assert.EndsWith("overview.json: panels[2].kind: 'pie' is not one of line, stacked_bar, table, gauge, list", error.Message);
    }

    [Fact]
    public async Task Start_PagesDirectory_ServesPagesFromIt()
    {
        const string json = """
            {"slug":"tokens","title":"Tokens","panels":[
              {"title":"Tokens by model","metric":"tokens","grouping":"model","window":"7d","kind":"table","limit":3}]}
            """;

        await using var app = await DashboardTestApp.StartAsync(Now, SeedAsync, folder =>
        {
            var pages = Directory.CreateDirectory(Path.Combine(folder, "dashboards")).FullName;
            File.WriteAllText(Path.Combine(pages, "tokens.json"), json);
            return pages;
        });

        var html = await app.Client.GetStringAsync("/");

        Assert.Contains("<h1>Tokens</h1>", html);
        Assert.Contains("gpt-4o-mini", Section(html, "panel-0"));
    }

    private static async Task SeedAsync(Database database)
    {
        var june2 = new DateTimeOffset(2025, 6, 2, 0, 0, 0, TimeSpan.Zero);
        await LedgerSeed.WriteAsync(database, Now,
            LedgerSeed.Day("mistral-eu", ProviderKind.Mistral, "mistral-large-latest", june2, 100.00m, Currency.EUR, "key-a", "fp-1234…abcd"),
            LedgerSeed.Day("mistral-eu", ProviderKind.Mistral, "mistral-small-latest", june2.AddDays(8), 61.20m, Currency.EUR, "key-b"),
            LedgerSeed.Day("mistral-eu", ProviderKind.Mistral, "mistral-large-latest", june2.AddDays(-13), 50.00m, Currency.EUR, "key-a", "fp-1234…abcd"),
            LedgerSeed.Day("mistral-eu", ProviderKind.Mistral, ScriptModel, june2.AddDays(10), null, Currency.EUR, "key-b"),
            LedgerSeed.Day("openai-us", ProviderKind.OpenAI, "gpt-4o", june2.AddDays(1), 40.25m, Currency.USD, "key-c", workspace: "proj_1"),
            LedgerSeed.Day("openai-us", ProviderKind.OpenAI, "gpt-4o-mini", june2.AddDays(12), 2.25m, Currency.USD, "key-c", workspace: "proj_1"),
            LedgerSeed.Day("openai-us", ProviderKind.OpenAI, "gpt-4o", june2.AddDays(-60), 10.00m, Currency.USD, "key-c", workspace: "proj_1"));
        await LedgerSeed.PullRunAsync(database, "mistral-eu", Now.AddHours(-1), "ok");
        await LedgerSeed.PullRunAsync(database, "openai-us", Now.AddHours(-3), "ok");
        await LedgerSeed.PullRunAsync(database, "openai-us", Now.AddMinutes(-30), "failed", "HTTP 429 <rate limited>");
        await LedgerSeed.SpendLimitAsync(database, "openai-us", Currency.USD, 42.50m, 100m, Now.AddMinutes(-5));
    }

    /// <summary>The HTML of the section with this id (sections do not nest).</summary>
    private static string Section(string html, string id)
    {
        var start = html.IndexOf($"id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section {id}");
        var end = html.IndexOf("</section>", start, StringComparison.Ordinal);
        return html[start..end];
    }

    [GeneratedRegex("<img src=\"([^\"]+)\"")]
    private static partial Regex ImageSource();
}
