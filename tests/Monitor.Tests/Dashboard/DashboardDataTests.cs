using System.Net;
using Dapper;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Dashboard;
using Monitor.Storage;

namespace Monitor.Tests.Dashboard;

/// <summary>The daily rollup's exactness, /metrics and the drill-down CSV over HTTP on a real SQLite ledger.</summary>
public sealed class DashboardDataTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 15, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset June10 = new(2025, 6, 10, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Rollup_WindowReplacedWithUpdatesAndDeletes_EqualsRecordsRegrouped()
    {
        await using var app = await DashboardTestApp.StartAsync(Now);
        var hours = Enumerable.Range(0, 48).Select(h => Hour("acc", "m1", June10.AddHours(h), 1.25m)).ToArray();
        await LedgerSeed.WriteAsync(app.Database, Now, hours);

        // A second pull of day one: three hours revised, the rest of the day no longer reported, a new model.
        await using (var ledger = await LedgerTransaction.BeginAsync(app.Database, "pull", "acc", "test", Now, CancellationToken.None))
        {
            for (var h = 0; h < 3; h++)
                ledger.Upsert(Hour("acc", "m1", June10.AddHours(h), 2m) with { Cost = null, CostSource = CostSource.Unpriced });
            ledger.Upsert(Hour("acc", "m2", June10.AddHours(5), 7m));
            await ledger.ReplaceWindowAsync("acc", June10, June10.AddDays(1));
            await ledger.CommitAsync(CancellationToken.None);
        }

        await using var c = await app.Database.OpenAsync(CancellationToken.None);
        var rollup = (await c.QueryAsync<(long, string, long, long, long, long)>(
            "SELECT day, model, buckets, priced_buckets, cost_micros, requests FROM usage_daily ORDER BY day, model")).ToList();
        var records = (await c.QueryAsync<(long, string, long, long, long, long)>(
            """
            SELECT bucket_start - (bucket_start % 86400), model, COUNT(*), COUNT(cost_micros), COALESCE(SUM(cost_micros), 0), SUM(requests)
            FROM usage_records GROUP BY bucket_start - (bucket_start % 86400), model ORDER BY 1, 2
            """)).ToList();
        Assert.Equal(records, rollup);
        Assert.Equal(
            [(June10.ToUnixTimeSeconds(), "m1", 3L, 0L, 0L, 30L), (June10.ToUnixTimeSeconds(), "m2", 1L, 1L, 7_000_000L, 10L),
             (June10.AddDays(1).ToUnixTimeSeconds(), "m1", 24L, 24L, 30_000_000L, 240L)],
            rollup);
    }

    [Fact]
    public async Task Metrics_LedgerWithPullsAndAlerts_ExposesPrometheusTextWithEscapedLabels()
    {
        await using var app = await DashboardTestApp.StartAsync(Now, async db =>
        {
            await LedgerSeed.WriteAsync(db, Now, LedgerSeed.Day("team \"a\"\\b", ProviderKind.OpenAI, "gpt-4o", June10, 12.5m, Currency.USD));
            await LedgerSeed.PullRunAsync(db, "team \"a\"\\b", Now.AddHours(-2), "ok");
            await LedgerSeed.PullRunAsync(db, "team \"a\"\\b", Now.AddHours(-1), "failed", "boom");
            await using var c = await db.OpenAsync(CancellationToken.None);
            await c.ExecuteAsync(
                """
                INSERT INTO alerts (kind, severity, status, title, detail, raised_at, dedup_key) VALUES
                ('anomaly', 'critical', 'open', 't', 'd', 1, 'k1'), ('anomaly', 'critical', 'sent', 't', 'd', 1, 'k2'),
                ('stale_data', 'warning', 'acknowledged', 't', 'd', 1, 'k3')
                """);
        });

        using var response = await app.Client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var lines = text.Split('\n');
        Assert.Contains("monitor_spend_month_to_date{account=\"team \\\"a\\\"\\\\b\",currency=\"USD\"} 12.5", lines);
        Assert.Contains("monitor_pull_runs_total{account=\"team \\\"a\\\"\\\\b\",outcome=\"failed\"} 1", lines);
        Assert.Contains($"monitor_pull_last_success_timestamp_seconds{{account=\"team \\\"a\\\"\\\\b\"}} {Now.AddHours(-2).ToUnixTimeSeconds()}", lines);
        Assert.Contains("monitor_alerts_open{kind=\"anomaly\",severity=\"critical\"} 2", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("monitor_alerts_open{kind=\"stale_data\"", StringComparison.Ordinal));
        Assert.Contains("monitor_outbox_pending 0", lines);
        Assert.Contains("# TYPE monitor_pull_runs_total counter", lines);
    }

    [Fact]
    public async Task DrillCsv_FormulaLeadingNames_AreNeutralised()
    {
        await using var app = await DashboardTestApp.StartAsync(Now, db => LedgerSeed.WriteAsync(db, Now,
            LedgerSeed.Day("acc", ProviderKind.OpenAI, "=HYPERLINK(\"http://x\")", June10, 3m, Currency.USD, keyId: "@key")));

        var csv = await app.Client.GetStringAsync("/drill?account=acc&from=2025-06-01&to=2025-06-15&format=csv");

        Assert.Equal(
            "day,account,model,key_id,key_name,currency,cost,unpriced_buckets,requests,tokens\n"
            + "2025-06-10,acc,\"'=HYPERLINK(\"\"http://x\"\")\",'@key,,USD,3,0,10,1800\n",
            csv.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("/drill?account=acc&to=2025-02-30", "to: '2025-02-30' is not a date (yyyy-MM-dd).")]
    [InlineData("/drill?account=acc&from=2025-06-10&to=2025-06-01", "from: 2025-06-10 is after to: 2025-06-01.")]
    [InlineData("/drill?account=acc&format=xlsx", "format: 'xlsx' is not csv (leave it out for the page).")]
    [InlineData("/drill/chart.png?account=acc", "currency: required (USD, EUR); currencies are never added together.")]
    [InlineData("/charts/overview/2.png?currency=USD&theme=blue", "theme: 'blue' is not light or dark.")]
    public async Task BadParameters_Return400WithMessage(string url, string message)
    {
        await using var app = await DashboardTestApp.StartAsync(Now, db => LedgerSeed.WriteAsync(db, Now,
            LedgerSeed.Day("acc", ProviderKind.OpenAI, "gpt-4o", June10, 3m, Currency.USD)));

        using var response = await app.Client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(message, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AckPost_WithoutAntiforgeryToken_Returns400AndLeavesAlertOpen()
    {
        await using var app = await DashboardTestApp.StartAsync(Now, async db =>
        {
            await using var c = await db.OpenAsync(CancellationToken.None);
            await c.ExecuteAsync("INSERT INTO alerts (kind, severity, status, title, detail, raised_at, dedup_key) VALUES ('anomaly', 'critical', 'open', 't', 'd', 1, 'k1')");
        });

        using var response = await app.Client.PostAsync("/alerts/1/ack", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await using var c = await app.Database.OpenAsync(CancellationToken.None);
        Assert.Equal("open", await c.ExecuteScalarAsync<string>("SELECT status FROM alerts WHERE id = 1"));
    }

    [Fact]
    public void Forecast_HalfwayThroughJune_ProjectsLinearlyByDay()
    {
        var rows = DashboardReader.Forecast(
            [new GroupTotal { Label = "acc", Currency = "EUR", Value = 150_000_000, PricedBuckets = 3 }, new GroupTotal { Label = "unpriced", Currency = "EUR", UnpricedBuckets = 2 }],
            Now, 10);

        var row = Assert.Single(rows);
        Assert.Equal(310_344_828, row.ForecastMicros); // 150 / 14.5 days x 30 days
    }

    private static UsageRecord Hour(string account, string model, DateTimeOffset at, decimal cost) =>
        LedgerSeed.Day(account, ProviderKind.OpenAI, model, at, cost, Currency.USD) with { BucketWidth = BucketWidth.Hour };
}
