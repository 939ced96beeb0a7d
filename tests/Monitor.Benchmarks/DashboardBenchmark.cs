using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Dashboard;
using Monitor.Hosting;
using Monitor.Storage;
using static System.FormattableString;

namespace Monitor.Benchmarks;

/// <summary>
/// The dashboard figure: a ledger of hourly records (3 accounts x 19 keys x 10 models x 365 days = 4,993,200 by
/// default) written through <see cref="LedgerTransaction"/> one day per transaction (its daily rollup recomputed at
/// each commit, as in a pull), then the overview page served by Kestrel on 127.0.0.1 and requested 200 times in a row: median and p95 of
/// the server's own time per request (a stopwatch around the pipeline), then the first request after a ledger write
/// (the reads are cached per ledger version), each read of the page uncached, and each chart: its query and its drawing.
/// </summary>
public static partial class DashboardBenchmark
{
    private const int Accounts = 3, Keys = 19, Models = 10, Requests = 200;

    public sealed record Result(
        long Records, TimeSpan Load, double MedianMs, double P95Ms, double AfterWriteMedianMs, IReadOnlyList<(string Query, double Ms)> Queries,
        IReadOnlyList<(string Chart, double QueryMs, double DrawMs)> Charts);

    /// <param name="postgres">A PostgreSQL server to run on (see <see cref="BenchLedger"/>); null: SQLite.</param>
    public static async Task<Result> RunAsync(int days, Action<string> log, CancellationToken ct, string? postgres = null)
    {
        using var ledger = await BenchLedger.CreateAsync(ct, postgres);
        var now = new DateTimeOffset(2026, 11, 22, 15, 30, 0, TimeSpan.Zero);
        var load = Stopwatch.StartNew();
        var records = await LoadAsync(ledger, now, days, ct);
        load.Stop();
        log(Invariant($"{records:N0} hourly records written in {load.Elapsed.TotalSeconds:F1} s ({records / load.Elapsed.TotalSeconds:N0} rows/s through the ledger, rollup at commit)"));

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(ledger.Database);
        builder.Services.AddSingleton<TimeProvider>(new FixedClock(now));
        builder.Services.AddSingleton(Options.Create(new MonitorOptions { Dashboard = new DashboardOptions { Directory = "no-such-folder" } }));
        builder.Services.AddMonitorDashboard();
        await using var app = builder.Build();
        var times = new List<double>();
        app.Use(async (http, next) =>
        {
            var watch = Stopwatch.StartNew();
            await next(http);
            if (http.Request.Path == "/")
                times.Add(watch.Elapsed.TotalMilliseconds);
        });
        app.MapDashboard();
        await app.StartAsync(ct);
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        var html = await client.GetStringAsync("/", ct); // warm-up: first connection, JIT, page cache
        times.Clear();
        for (var i = 0; i < Requests; i++)
            _ = await client.GetStringAsync("/", ct);
        times.Sort();
        var median = times[times.Count / 2];
        var p95 = times[(int)Math.Ceiling(times.Count * 0.95) - 1];

        // The first request after a ledger write reads everything again (the cache is per ledger version).
        times.Clear();
        for (var i = 0; i < 20; i++)
        {
            await using (var tx = await LedgerTransaction.BeginAsync(ledger.Database, "demo", null, "benchmark", now, ct))
                await tx.CommitAsync(ct);
            _ = await client.GetStringAsync("/", ct);
        }

        times.Sort();
        var afterWrite = times[times.Count / 2];

        var reader = app.Services.GetRequiredService<DashboardReader>();
        var charts = new List<(string, double, double)>();
        foreach (Match m in ChartSource().Matches(html))
        {
            var url = System.Net.WebUtility.HtmlDecode(m.Groups[1].Value);
            var parts = ChartUrl().Match(url);
            var panel = reader.Catalog.Home.Panels[int.Parse(parts.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)];
            Currency? currency = parts.Groups[2].Success ? Enum.Parse<Currency>(parts.Groups[2].Value) : null;
            var query = Stopwatch.StartNew();
            var data = await reader.ReadChartAsync(panel, currency, ct);
            query.Stop();
            var draw = Stopwatch.StartNew();
            _ = DashboardCharts.RenderPng(data);
            draw.Stop();
            charts.Add((url, query.Elapsed.TotalMilliseconds, draw.Elapsed.TotalMilliseconds));
        }

        var queries = await TimeQueriesAsync(new DashboardRepository(ledger.Database), now, ct); // uncached
        await app.StopAsync(ct);
        SqliteConnection.ClearAllPools();
        return new Result(records, load.Elapsed, median, p95, afterWrite, queries, charts);
    }

    // One ledger transaction per day of records, as a daily pull writes them: upserts, then the rollup of that day
    // recomputed at commit (UsageRollup), so the load rate is the product's write path with its rollup.
    private static async Task<long> LoadAsync(BenchLedger ledger, DateTimeOffset now, int days, CancellationToken ct)
    {
        var keyIds = new string[Accounts, Keys];
        var fingerprints = new string[Accounts, Keys];
        for (var a = 0; a < Accounts; a++)
        {
            for (var k = 0; k < Keys; k++)
            {
                keyIds[a, k] = $"key-{a}-{k}";
                fingerprints[a, k] = $"{a:x4}{k:x8}…abcd";
            }
        }

        string[] accounts = [.. Enumerable.Range(0, Accounts).Select(a => $"account-{a}")];
        string[] models = [.. Enumerable.Range(0, Models).Select(m => $"model-{m}")];
        var first = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(1 - days);
        var last = now.AddHours(-1);
        long count = 0;
        var random = new Random(7);
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            await using var tx = await LedgerTransaction.BeginAsync(ledger.Database, "demo", null, "benchmark", now, ct);
            for (var hour = day; hour < day.AddDays(1) && hour <= last; hour = hour.AddHours(1))
            {
                for (var a = 0; a < Accounts; a++)
                {
                    for (var k = 0; k < Keys; k++)
                    {
                        for (var m = 0; m < Models; m++)
                        {
                            var tokens = random.Next(1_000, 200_000);
                            var cost = MoneyUnits.FromMicros(tokens * (m + 1L));
                            tx.Upsert(new UsageRecord
                            {
                                Account = accounts[a],
                                Provider = a == 0 ? ProviderKind.Mistral : ProviderKind.OpenAI,
                                KeyId = keyIds[a, k],
                                KeyFingerprint = fingerprints[a, k],
                                Model = models[m],
                                BucketStart = hour,
                                BucketWidth = BucketWidth.Hour,
                                Tokens = new TokenCounts(tokens, 0, 0, tokens / 5, 0),
                                Requests = tokens / 2_000 + 1,
                                Cost = cost,
                                Currency = a == 0 ? Currency.EUR : Currency.USD,
                                CostSource = CostSource.Reported,
                                EstimatedCost = cost,
                                Source = RecordSource.Demo,
                            });
                            count++;
                        }
                    }
                }
            }

            await tx.CommitAsync(ct);
        }

        return count;
    }

    // Where an uncached overview request spends its time: each read the page makes, alone, median of 20 runs.
    private static async Task<IReadOnlyList<(string, double)>> TimeQueriesAsync(DashboardRepository repository, DateTimeOffset now, CancellationToken ct)
    {
        var (mtdFrom, mtdTo) = PanelWindow.MonthToDate.RangeOf(now);
        var (d30From, d30To) = PanelWindow.Last30Days.RangeOf(now);
        var (d90From, d90To) = PanelWindow.Last90Days.RangeOf(now);
        (string, Func<Task>)[] reads =
        [
            ("totals by account (mtd)", () => repository.TotalsAsync(PanelMetric.Cost, PanelGrouping.Account, mtdFrom, mtdTo, ct)),
            ("cost currencies (90d)", () => repository.CostCurrenciesAsync(d90From, d90To, DrillFilter.None, ct)),
            ("unpriced models (90d)", () => repository.UnpricedModelsAsync(d90From, d90To, ct)),
            ("totals by key (30d)", () => repository.TotalsAsync(PanelMetric.Cost, PanelGrouping.Key, d30From, d30To, ct)),
            ("totals by model (30d)", () => repository.TotalsAsync(PanelMetric.Cost, PanelGrouping.Model, d30From, d30To, ct)),
            ("freshness", () => repository.FreshnessAsync(ct)),
            ("spend limits", () => repository.SpendLimitsAsync(ct)),
            ("reconciliation (mtd)", () => repository.ReconciliationAsync(mtdFrom, mtdTo, ct)),
        ];
        var result = new List<(string, double)>();
        foreach (var (name, read) in reads)
        {
            var times = new List<double>();
            for (var i = 0; i < 20; i++)
            {
                var watch = Stopwatch.StartNew();
                await read();
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            times.Sort();
            result.Add((name, times[times.Count / 2]));
        }

        return result;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [GeneratedRegex("<img src=\"([^\"]+)\"")]
    private static partial Regex ChartSource();

    [GeneratedRegex(@"^/charts/overview/(\d+)\.png(?:\?currency=(\w+))?$")]
    private static partial Regex ChartUrl();
}
