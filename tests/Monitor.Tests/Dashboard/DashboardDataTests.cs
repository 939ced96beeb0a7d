using System.Net;
using Dapper;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Dashboard;
using Monitor.Demo;
using Monitor.Ledger;
using Monitor.Storage;
using Monitor.Tests.Support;

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

        await AssertRollupExactAsync(app.Database);
        await using var c = await app.Database.OpenAsync(CancellationToken.None);
        var rollup = (await c.QueryAsync<(long, string, long, long, long, long)>(
            "SELECT day, model, buckets, priced_buckets, cost_micros, requests FROM usage_daily ORDER BY day, model")).ToList();
        Assert.Equal(
            [(June10.ToUnixTimeSeconds(), "m1", 3L, 0L, 0L, 30L), (June10.ToUnixTimeSeconds(), "m2", 1L, 1L, 7_000_000L, 10L),
             (June10.AddDays(1).ToUnixTimeSeconds(), "m1", 24L, 24L, 30_000_000L, 240L)],
            rollup);
    }

    [Theory, BothDialects]
    public async Task Rollup_ImportThatShrinksItsWindow_EqualsRecordsRegrouped(SqlDialect dialect)
    {
        using var ledger = new TempLedger(dialect: dialect);
        var importer = new UsageImporter(ledger.Database, TempLedger.Catalog, ledger.Clock);
        const string Header = "bucket_start,bucket_width,provider,account,workspace,key_id,model,input_tokens,output_tokens,requests,currency,cost";
        await importer.ImportAsync(ledger.File("usage.csv", string.Join('\n', Header,
            "2026-11-01T00:00:00Z,1h,openai,acc,p,k1,gpt-4o,1000,100,1,USD,1.50",
            "2026-11-01T23:00:00Z,1h,openai,acc,p,k1,gpt-4o,1000,100,2,USD,2.50",
            "2026-11-02T05:00:00Z,1h,openai,acc,p,k2,gpt-4o,1000,100,4,USD,4.00",
            "2026-11-03T05:00:00Z,1h,openai,acc,p,k2,gpt-4o,1000,100,8,USD,8.00",
            "2026-11-02T05:00:00Z,1h,openai,other,p,k3,gpt-4o,1000,100,16,USD,16.00")), null, CancellationToken.None);

        // The corrected export covers 1 Nov 00:00 to 2 Nov 06:00 only: 23:00 and 2 Nov's k2 are gone, 00:00 changed.
        var result = await importer.ImportAsync(ledger.File("corrected.csv", string.Join('\n', Header,
            "2026-11-01T00:00:00Z,1h,openai,acc,p,k1,gpt-4o,1000,100,32,USD,0.25",
            "2026-11-02T05:00:00Z,1h,openai,acc,p,k9,in-house-model,1000,100,64,USD,")), null, CancellationToken.None);

        Assert.Equal(2, result.Replaced);
        await AssertRollupExactAsync(ledger.Database);
        var nov1 = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        Assert.Equal(
            [(nov1, "acc", "k1", 1L, 250_000L, 32L), (nov1 + 86_400, "acc", "k9", 0L, 0L, 64L),
             (nov1 + 86_400, "other", "k3", 1L, 16_000_000L, 16L), (nov1 + 172_800, "acc", "k2", 1L, 8_000_000L, 8L)],
            await ledger.QueryAsync<(long, string, string, long, long, long)>(
                "SELECT day, account, key_id, priced_buckets, cost_micros, requests FROM usage_daily ORDER BY day, account, key_id"));
    }

    [Theory, BothDialects]
    public async Task Rollup_MonthToDatePollsAcrossMonths_EqualsRecordsRegrouped(SqlDialect dialect)
    {
        await using var h = await PullHarness.StartAsync(days: 30, accounts: [("mistral", "Mistral")], clockStart: new DateTimeOffset(2026, 10, 30, 0, 0, 0, TimeSpan.Zero), dialect: dialect);
        var november = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        foreach (var poll in new[] { november.AddHours(-5), november.AddHours(-2), november.AddHours(3), november.AddHours(4) })
        {
            h.Scenario.VisibleUntil = poll;
            h.Ledger.Clock.SetUtcNow(poll);
            var pull = (await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None)).Single();
            Assert.True(pull.Ok, pull.Error);
        }

        await AssertRollupExactAsync(h.Ledger.Database);
        var truth = h.Scenario.Hours.Where(x => x.Provider == DemoScenario.Mistral && x.HourStart >= november.AddMonths(-1) && x.HourStart < november.AddHours(4))
            .Sum(x => x.InputTokens);
        Assert.Equal(truth, await h.Ledger.ScalarAsync<long>("SELECT SUM(input_tokens) FROM usage_daily"));
    }

    [Fact]
    public async Task Migrate_RollupOutOfStep_MigrationZeroNineRebuildsIt()
    {
        using var ledger = new TempLedger();
        await LedgerSeed.WriteAsync(ledger.Database, Now, Hour("acc", "m1", June10, 1m), Hour("acc", "m1", June10.AddDays(1), 2m));
        await using (var c = await ledger.Database.OpenAsync(CancellationToken.None))
        {
            // A write that bypassed the ledger transaction, and a database that has not yet run 0009.
            await c.ExecuteAsync("UPDATE usage_daily SET cost_micros = 5 WHERE day = @d", new { d = June10.ToUnixTimeSeconds() });
            await c.ExecuteAsync("DELETE FROM usage_records WHERE bucket_start = @d", new { d = June10.AddDays(1).ToUnixTimeSeconds() });
            await c.ExecuteAsync("DELETE FROM schema_version WHERE version = 9");
        }

        var applied = await new MigrationRunner(ledger.Database, ledger.Clock).MigrateAsync(CancellationToken.None);

        Assert.Equal([9], applied);
        await AssertRollupExactAsync(ledger.Database);
        Assert.Equal([(June10.ToUnixTimeSeconds(), 1_000_000L)], await ledger.QueryAsync<(long, long)>("SELECT day, cost_micros FROM usage_daily"));
        Assert.Equal(0, await ledger.ScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'"));
    }

    [Theory, BothDialects]
    public async Task Rollup_WriteToOneDay_LeavesOtherDaysRowsAlone(SqlDialect dialect)
    {
        using var ledger = new TempLedger(dialect: dialect);
        await LedgerSeed.WriteAsync(ledger.Database, Now, Hour("acc", "m1", June10, 1m), Hour("acc", "m1", June10.AddDays(1), 2m), Hour("b", "m1", June10, 4m));
        await using (var c = await ledger.Database.OpenAsync(CancellationToken.None))
            await c.ExecuteAsync("UPDATE usage_daily SET requests = -1"); // marks every row as written before this batch

        await LedgerSeed.WriteAsync(ledger.Database, Now, Hour("acc", "m1", June10.AddHours(1), 3m));

        Assert.Equal(
            [(June10.ToUnixTimeSeconds(), "acc", 4_000_000L, 20L), (June10.ToUnixTimeSeconds(), "b", 4_000_000L, -1L),
             (June10.AddDays(1).ToUnixTimeSeconds(), "acc", 2_000_000L, -1L)],
            await ledger.QueryAsync<(long, string, long, long)>("SELECT day, account, cost_micros, requests FROM usage_daily ORDER BY day, account"));
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
            await c.ExecuteAsync(
                """
                INSERT INTO outbox (channel, dedup_key, message_id, recipients, subject, content_type, payload, created_at, next_attempt_at, sent_at, failed_at) VALUES
                ('email', 'o1', 'm1', '', 's', 'message/rfc822', X'00', 1, 1, 5, NULL), ('email', 'o2', 'm2', '', 's', 'message/rfc822', X'00', 1, 1, NULL, NULL),
                ('slack', 'o3', 'm3', '', 's', 'application/json', X'00', 1, 1, NULL, 4)
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
        Assert.Contains("monitor_outbox_pending{channel=\"email\"} 1", lines);
        Assert.Contains("monitor_outbox_sent{channel=\"email\"} 1", lines);
        Assert.Contains("monitor_outbox_pending{channel=\"slack\"} 0", lines);
        Assert.Contains("monitor_outbox_failed{channel=\"slack\"} 1", lines);
        Assert.Contains("# TYPE monitor_pull_runs_total counter", lines);
    }

    [Fact]
    public async Task Page_ChannelRefusedAMessage_DeliverySectionShowsItWithTheEncodedError()
    {
        await using var app = await DashboardTestApp.StartAsync(Now, async db =>
        {
            await using var c = await db.OpenAsync(CancellationToken.None);
            await c.ExecuteAsync(
                """
                INSERT INTO outbox (channel, dedup_key, message_id, recipients, subject, content_type, payload, created_at, next_attempt_at, sent_at, failed_at, last_error) VALUES
                ('email', 'o1', 'm1', '', 's', 'message/rfc822', X'00', 1, 1, 5, NULL, NULL),
                ('slack', 'o2', 'm2', '', 's', 'application/json', X'00', 1, 1, NULL, 4, 'Slack channel ''slack'' answered HTTP 400 Bad Request: <script>x</script>')
                """);
        });

        var html = await app.Client.GetStringAsync("/");

        var section = html[html.IndexOf("<section class=\"wide\" id=\"delivery\">", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("</section>", StringComparison.Ordinal)];
        Assert.Contains("<tr data-channel=\"slack\">", section, StringComparison.Ordinal);
        Assert.DoesNotContain("data-channel=\"email\"", section, StringComparison.Ordinal); // nothing wrong there
        Assert.Contains("answered HTTP 400 Bad Request: &lt;script&gt;x&lt;/script&gt;", section, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>x", html, StringComparison.Ordinal);
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

    [Fact]
    public async Task DrillCsv_LedgerWrittenBetweenRequests_ShowsTheNewRecordsNotTheCachedOnes()
    {
        await using var app = await DashboardTestApp.StartAsync(Now, db => LedgerSeed.WriteAsync(db, Now,
            LedgerSeed.Day("acc", ProviderKind.OpenAI, "gpt-4o", June10, 3m, Currency.USD)));
        const string Url = "/drill?account=acc&from=2025-06-01&to=2025-06-15&format=csv";
        var before = await app.Client.GetStringAsync(Url);

        await LedgerSeed.WriteAsync(app.Database, Now, LedgerSeed.Day("acc", ProviderKind.OpenAI, "gpt-4o", June10, 5m, Currency.USD));
        var after = await app.Client.GetStringAsync(Url);

        Assert.Contains("\n2025-06-10,acc,gpt-4o,,,USD,3,0,10,1800\n", before.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("\n2025-06-10,acc,gpt-4o,,,USD,5,0,10,1800\n", after.ReplaceLineEndings("\n"), StringComparison.Ordinal);
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

    /// <summary>The rollup, every column, equals a GROUP BY over the ledger written here independently of the product's SQL.</summary>
    private static async Task AssertRollupExactAsync(Database database)
    {
        await using var c = await database.OpenAsync(CancellationToken.None);
        var rollup = (await c.QueryAsync<string>(
            """
            SELECT day || '|' || account || '|' || provider || '|' || workspace || '|' || key_id || '|' || model || '|' || currency
                || '|' || is_month || '|' || COALESCE(key_fingerprint, '-') || '|' || buckets || '|' || priced_buckets || '|' || cost_micros
                || '|' || input_tokens || '|' || cached_input_tokens || '|' || cache_write_tokens || '|' || output_tokens || '|' || requests
                || '|' || reported_micros || '|' || estimated_micros
            FROM usage_daily ORDER BY 1
            """)).ToList();
        var records = (await c.QueryAsync<string>(
            """
            SELECT (bucket_start / 86400 * 86400) || '|' || account || '|' || provider || '|' || workspace || '|' || key_id || '|' || model
                || '|' || currency || '|' || MAX(CASE WHEN bucket_width = 'month' THEN 1 ELSE 0 END) || '|' || COALESCE(MAX(key_fingerprint), '-') || '|' || COUNT(*)
                || '|' || COUNT(cost_micros) || '|' || COALESCE(SUM(cost_micros), 0) || '|' || SUM(input_tokens) || '|' || SUM(cached_input_tokens)
                || '|' || SUM(cache_write_tokens) || '|' || SUM(output_tokens) || '|' || SUM(requests)
                || '|' || COALESCE(SUM(CASE WHEN cost_source = 'reported' AND estimated_cost_micros IS NOT NULL THEN cost_micros END), 0)
                || '|' || COALESCE(SUM(CASE WHEN cost_source = 'reported' AND cost_micros IS NOT NULL THEN estimated_cost_micros END), 0)
            FROM usage_records
            GROUP BY bucket_start / 86400, account, provider, workspace, key_id, model, currency, CASE WHEN bucket_width = 'month' THEN 1 ELSE 0 END
            ORDER BY 1
            """)).ToList();
        Assert.NotEmpty(records);
        Assert.Equal(records, rollup);
    }

    private static UsageRecord Hour(string account, string model, DateTimeOffset at, decimal cost) =>
        LedgerSeed.Day(account, ProviderKind.OpenAI, model, at, cost, Currency.USD) with { BucketWidth = BucketWidth.Hour };
}
