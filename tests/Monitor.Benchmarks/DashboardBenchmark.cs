using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitor.Core.Pricing;
using Monitor.Dashboard;
using Monitor.Hosting;
using static System.FormattableString;

namespace Monitor.Benchmarks;

/// <summary>
/// The dashboard figure: a ledger of hourly records (3 accounts x 19 keys x 10 models x 365 days = 4,993,200 by
/// default) written through plain INSERTs (the rollup triggers of migration 0008 run on every row, as they do in a
/// pull), then the overview page served by Kestrel on 127.0.0.1 and requested 200 times in a row: median and p95 of
/// the server's own time per request (a stopwatch around the pipeline), then each chart: its query and its drawing.
/// </summary>
public static partial class DashboardBenchmark
{
    private const int Accounts = 3, Keys = 19, Models = 10, Requests = 200;

    public sealed record Result(long Records, TimeSpan Load, double MedianMs, double P95Ms, IReadOnlyList<(string Chart, double QueryMs, double DrawMs)> Charts);

    public static async Task<Result> RunAsync(int days, Action<string> log, CancellationToken ct)
    {
        using var ledger = await BenchLedger.CreateAsync(ct);
        var now = new DateTimeOffset(2026, 11, 22, 15, 30, 0, TimeSpan.Zero);
        var load = Stopwatch.StartNew();
        var records = await LoadAsync(ledger, now, days, ct);
        load.Stop();
        log(Invariant($"{records:N0} hourly records written in {load.Elapsed.TotalSeconds:F1} s ({records / load.Elapsed.TotalSeconds:N0} rows/s with the rollup triggers)"));

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

        await app.StopAsync(ct);
        SqliteConnection.ClearAllPools();
        return new Result(records, load.Elapsed, median, p95, charts);
    }

    private static async Task<long> LoadAsync(BenchLedger ledger, DateTimeOffset now, int days, CancellationToken ct)
    {
        await using var connection = (SqliteConnection)await ledger.Database.OpenAsync(ct);
        using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO usage_records (account, provider, workspace, key_id, key_fingerprint, model, bucket_start, bucket_width,
                input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, requests,
                cost_micros, currency, cost_source, estimated_cost_micros, source, ingested_at, batch_id, raw)
            VALUES ($account, $provider, '', $key, $fingerprint, $model, $start, '1h', $input, 0, 0, $output, 0, $requests,
                $cost, $currency, 'reported', $cost, 'demo', $start, 1, NULL)
            """;
        string[] names = ["account", "provider", "key", "fingerprint", "model", "start", "input", "output", "requests", "cost", "currency"];
        var p = names.Select(n => insert.Parameters.Add(new SqliteParameter("$" + n, null))).ToArray();
        var first = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(1 - days).ToUnixTimeSeconds();
        var last = now.ToUnixTimeSeconds() - 3600;
        long count = 0;
        var random = new Random(7);
        var transaction = connection.BeginTransaction();
        insert.Transaction = transaction;
        for (var hour = first; hour <= last; hour += 3600)
        {
            for (var a = 0; a < Accounts; a++)
            {
                for (var k = 0; k < Keys; k++)
                {
                    for (var m = 0; m < Models; m++)
                    {
                        var tokens = random.Next(1_000, 200_000);
                        p[0].Value = $"account-{a}";
                        p[1].Value = a == 0 ? "mistral" : "openai";
                        p[2].Value = $"key-{a}-{k}";
                        p[3].Value = $"{a:x4}{k:x8}…abcd";
                        p[4].Value = $"model-{m}";
                        p[5].Value = hour;
                        p[6].Value = tokens;
                        p[7].Value = tokens / 5;
                        p[8].Value = tokens / 2_000 + 1;
                        p[9].Value = tokens * (m + 1L);
                        p[10].Value = a == 0 ? "EUR" : "USD";
                        insert.ExecuteNonQuery();
                        if (++count % 200_000 == 0)
                        {
                            transaction.Commit();
                            transaction = connection.BeginTransaction();
                            insert.Transaction = transaction;
                        }
                    }
                }
            }
        }

        transaction.Commit();
        return count;
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
