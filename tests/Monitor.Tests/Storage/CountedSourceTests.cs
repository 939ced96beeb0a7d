using System.Globalization;
using Microsoft.Extensions.Options;
using Monitor.Checks;
using Monitor.Core.Budgets;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Dashboard;
using Monitor.Hosting;
using Monitor.Ledger;
using Monitor.Storage;
using Monitor.Tests.Checks;
using Monitor.Tests.Support;

namespace Monitor.Tests.Storage;

/// <summary>
/// One usage source counts per account: budgets, forecasts, the dashboard, lifecycles, anomalies and the exports read
/// the counted one alone, with the other kept beside it; switching UsageFrom moves every total, never adds.
/// </summary>
public sealed class CountedSourceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 15, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset From = new(2026, 10, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly int Hours = (int)(Now - From).TotalHours;

    private static BudgetDefinition Budget => new()
    {
        Name = "mistral-monthly", Scope = new BudgetScope(UsageSourceLedger.Account), Amount = 5_000m, Currency = Currency.EUR,
        Period = BudgetPeriodKind.Month, TimeZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris"),
    };

    private static async Task<TempLedger> LedgerAsync(SqlDialect dialect, bool api, bool proxy, string? usageFrom = null)
    {
        var ledger = new TempLedger(Now, dialect);
        await UsageSourceLedger.SyncAsync(ledger, usageFrom);
        if (api)
            await UsageSourceLedger.WriteAsync(ledger, UsageSourceLedger.Api(From, Hours));
        if (proxy)
            await UsageSourceLedger.WriteAsync(ledger, UsageSourceLedger.Proxied(From, Hours));
        return ledger;
    }

    private static async Task<(decimal Spent, decimal? Forecast, long MonthCost, long Tokens, long SliceCost)> TotalsAsync(TempLedger ledger)
    {
        var status = Assert.Single(await new BudgetSpendReader(ledger.Database).StatusesAsync([Budget], [], Now, CancellationToken.None));
        var dashboard = new DashboardRepository(ledger.Database);
        var (monthStart, tomorrow) = PanelWindow.MonthToDate.RangeOf(Now);
        var cost = Assert.Single(await dashboard.TotalsAsync(PanelMetric.Cost, PanelGrouping.Account, monthStart, tomorrow, CancellationToken.None));
        var tokens = Assert.Single(await dashboard.TotalsAsync(PanelMetric.Tokens, PanelGrouping.Model, monthStart, tomorrow, CancellationToken.None));
        var slices = await new LifecycleRepository(ledger.Database).UsageAsync(Now.AddDays(-3).AddMinutes(-13), Now, CancellationToken.None);
        return (status.Spent, status.Forecast, cost.Value, tokens.Value, slices.Sum(s => s.CostMicros));
    }

    [Theory, BothDialects]
    public async Task Upsert_AccountCountingTheApi_MarksOnlyItsApiRowsCounted(SqlDialect dialect)
    {
        using var ledger = await LedgerAsync(dialect, api: true, proxy: true);

        var marks = await ledger.QueryAsync<(string Source, long Counted, long Rows)>(
            "SELECT source, counted, COUNT(*) FROM usage_records GROUP BY source, counted ORDER BY source");

        Assert.Equal([("api", 1L, (long)Hours), ("proxy", 0L, (long)Hours)], marks);
    }

    [Theory, BothDialects]
    public async Task Reads_AccountWithBothSources_EqualTheCountedSourceAlone(SqlDialect dialect)
    {
        using var both = await LedgerAsync(dialect, api: true, proxy: true);
        using var apiAlone = await LedgerAsync(dialect, api: true, proxy: false);
        using var proxyAlone = await LedgerAsync(dialect, api: false, proxy: true, usageFrom: "Proxy");

        var counted = await TotalsAsync(both);
        var expected = await TotalsAsync(apiAlone);

        Assert.Equal(expected, counted);
        Assert.NotEqual(expected, await TotalsAsync(proxyAlone)); // the sources differ, so the equality above means something
        Assert.Equal(2m * 520, counted.Spent); // EUR 2 an hour from 2026-10-31 23:00 UTC (midnight in Paris) to the last row at 14:00
    }

    [Theory, BothDialects]
    public async Task SyncAsync_UsageFromSwitched_RemarksTheRowsAndTheTotalsSwitch(SqlDialect dialect)
    {
        using var ledger = await LedgerAsync(dialect, api: true, proxy: true);
        using var apiAlone = await LedgerAsync(dialect, api: true, proxy: false);
        using var proxyAlone = await LedgerAsync(dialect, api: false, proxy: true, usageFrom: "Proxy");

        var toProxy = Assert.Single(await UsageSourceLedger.SyncAsync(ledger, "Proxy"));
        var asProxy = await TotalsAsync(ledger);
        var again = await UsageSourceLedger.SyncAsync(ledger, "Proxy");
        var toApi = Assert.Single(await UsageSourceLedger.SyncAsync(ledger, null)); // the default for a Mistral account with an admin key
        var asApi = await TotalsAsync(ledger);

        Assert.Equal(new UsageSourceChange(UsageSourceLedger.Account, "api", "proxy", 2 * Hours), toProxy);
        Assert.Equal(await TotalsAsync(proxyAlone), asProxy);
        Assert.Empty(again);
        Assert.Equal(new UsageSourceChange(UsageSourceLedger.Account, "proxy", "api", 2 * Hours), toApi);
        Assert.Equal(await TotalsAsync(apiAlone), asApi);
        Assert.Equal("api", await ledger.ScalarAsync<string>("SELECT usage_from FROM account_usage_sources WHERE account = @a", new { a = UsageSourceLedger.Account }));
    }

    [Theory, BothDialects]
    public async Task Upsert_AfterASwitch_MarksNewRowsByTheNewChoice(SqlDialect dialect)
    {
        using var ledger = await LedgerAsync(dialect, api: true, proxy: false);
        await UsageSourceLedger.SyncAsync(ledger, "Proxy");

        await UsageSourceLedger.WriteAsync(ledger, UsageSourceLedger.Proxied(Now.AddHours(-2), 1));
        await UsageSourceLedger.WriteAsync(ledger, UsageSourceLedger.Api(Now.AddHours(-2), 1));

        Assert.Equal(1L, await ledger.ScalarAsync<long>("SELECT SUM(counted) FROM usage_records"));
        Assert.Equal(1L, await ledger.ScalarAsync<long>("SELECT SUM(counted) FROM usage_records WHERE source = 'proxy'"));
    }

    [Theory, BothDialects]
    public async Task AnomalyEvaluator_ProxyBurstOnAnAccountCountingTheApi_ScoresOnlyTheCountedSource(SqlDialect dialect)
    {
        // The demo's OpenAI account (its incident on key_support) plus a proxy that metered a burst on an unknown key.
        var demo = AnomalyEvaluatorTests.Demo;
        using var plain = await AnomalyEvaluatorTests.DemoLedgerAsync(demo.End, dialect);
        using var both = await AnomalyEvaluatorTests.DemoLedgerAsync(demo.End, dialect);
        ProviderOptions Account(string usageFrom) =>
            new() { Name = "demo-openai", Kind = "OpenAI", BaseUrl = "https://api.openai.com", ApiKeyEnv = "K", Proxy = new() { Enabled = true }, UsageFrom = usageFrom };
        await new UsageSourceRepository(both.Database, both.Clock).SyncAsync([Account("")], CancellationToken.None);
        var burst = Enumerable.Range(0, 12).Select(i => new UsageRecord
        {
            Account = "demo-openai", Provider = ProviderKind.OpenAI, KeyId = UsageSourceLedger.Fingerprint, KeyFingerprint = UsageSourceLedger.Fingerprint,
            Model = "gpt-4o", BucketStart = demo.End.AddHours(-12 + i), BucketWidth = BucketWidth.Minute, Tokens = new TokenCounts(50_000_000, 0, 0, 20_000_000, 0),
            Requests = 5_000, Cost = 400m, Currency = Currency.USD, CostSource = CostSource.Estimated, Source = RecordSource.Proxy,
        });
        await UsageSourceLedger.WriteAsync(both, burst);
        var evaluate = (TempLedger l) => new AnomalyEvaluator(l.Database, new AlertRepository(l.Database), TempLedger.Catalog, Options.Create(new MonitorOptions()))
            .EvaluateAsync(new CheckContext(demo.End, null), CancellationToken.None);

        var expected = (await evaluate(plain)).Select(d => d.DedupKey).ToList();
        var counted = (await evaluate(both)).Select(d => d.DedupKey).ToList();
        await new UsageSourceRepository(both.Database, both.Clock).SyncAsync([Account("Proxy")], CancellationToken.None);
        var afterSwitch = (await evaluate(both)).Select(d => d.DedupKey).ToList();

        Assert.Contains(expected, k => k.Contains("key_support", StringComparison.Ordinal));
        Assert.Equal(expected, counted);
        Assert.DoesNotContain(afterSwitch, k => k.Contains("key_support", StringComparison.Ordinal));
    }

    [Theory, BothDialects]
    public async Task ExportUsage_BothSources_ExportsBothWithCountedAndReimportsLosslessly(SqlDialect dialect)
    {
        using var ledger = await LedgerAsync(dialect, api: true, proxy: true);
        var exporter = new LedgerExporter(ledger.Database, TempLedger.Catalog);
        var csv = new StringWriter(CultureInfo.InvariantCulture);
        await exporter.ExportAsync("usage", ExportFormat.Csv, csv, null, null, CancellationToken.None);
        var file = ledger.File("usage.csv", csv.ToString());

        // A ledger where the account is not configured keeps the file's marks; one where it is recomputes them.
        using var unconfigured = new TempLedger(Now, dialect);
        await new UsageImporter(unconfigured.Database, TempLedger.Catalog, unconfigured.Clock).ImportAsync(file, null, CancellationToken.None);
        using var proxyCounting = new TempLedger(Now, dialect);
        await UsageSourceLedger.SyncAsync(proxyCounting, "Proxy");
        await new UsageImporter(proxyCounting.Database, TempLedger.Catalog, proxyCounting.Clock).ImportAsync(file, null, CancellationToken.None);

        Assert.EndsWith(",counted", csv.ToString().Split('\n')[0].TrimEnd('\r'), StringComparison.Ordinal);
        Assert.Equal(2 * Hours, csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1);
        const string marks = "SELECT source || ':' || counted || ':' || COUNT(*) FROM usage_records GROUP BY source, counted ORDER BY source";
        Assert.Equal(await ledger.QueryAsync<string>(marks), await unconfigured.QueryAsync<string>(marks));
        Assert.Equal([$"api:0:{Hours}", $"proxy:1:{Hours}"], await proxyCounting.QueryAsync<string>(marks));
        Assert.Equal(await TotalsAsync(ledger), await TotalsAsync(unconfigured));
    }
}
