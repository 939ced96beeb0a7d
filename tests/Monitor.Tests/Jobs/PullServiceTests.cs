using Monitor.Demo;
using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Jobs;

/// <summary>The real connectors over real HTTP against the demo's fake providers: ledger totals must equal the scenario's truth.</summary>
public sealed class PullServiceTests
{
    [Theory, BothDialects]
    public async Task PullAllAsync_OpenAI_LedgerEqualsScenarioPerKeyModelAndDay(SqlDialect dialect)
    {
        await using var h = await PullHarness.StartAsync(dialect: dialect);

        var results = await h.Pulls.PullAllAsync("openai-test", null, null, null, CancellationToken.None);

        Assert.True(results.Single().Ok, results.Single().Error);
        var hours = h.Scenario.Hours.Where(x => x.Provider == DemoScenario.OpenAI).ToList();
        var truth = hours
            .GroupBy(x => (x.Workspace, x.KeyId, x.Model, Day: x.HourStart.ToUnixTimeSeconds() / 86400))
            .ToDictionary(g => g.Key, g => (
                Input: g.Sum(x => x.InputTokens), Cached: g.Sum(x => x.CachedInputTokens), Output: g.Sum(x => x.OutputTokens),
                Requests: g.Sum(x => x.Requests), Cost: g.Sum(h.Scenario.CostOf)));
        var ledger = (await h.Ledger.QueryAsync<(string Workspace, string KeyId, string Model, long Day, long Input, long Cached, long Output, long Requests, long Cost)>(
            """
            SELECT workspace, key_id, model, bucket_start / 86400, SUM(input_tokens), SUM(cached_input_tokens), SUM(output_tokens),
                   SUM(requests), SUM(cost_micros)
            FROM usage_records WHERE account = 'openai-test' AND model <> '(unattributed)' GROUP BY 1, 2, 3, 4
            """)).ToDictionary(r => (r.Workspace, r.KeyId, r.Model, r.Day));

        Assert.Equal(truth.Keys.OrderBy(k => k.ToString()), ledger.Keys.OrderBy(k => k.ToString()));
        foreach (var (key, t) in truth)
        {
            var l = ledger[key];
            Assert.Equal((t.Input, t.Cached, t.Output, t.Requests), (l.Input, l.Cached, l.Output, l.Requests));
            // Line items that name the model pay it (to the micro-unit, but for the few micro-units of rounding the day's
            // bill settles on its largest record); the batch pipeline's ("input_tokens", "output_tokens") name none, so its
            // hours count 0 and the day's bill is an (unattributed) day record of the same project and key.
            var cost = key.Workspace == FakeOpenAIEndpoints.UnnamedLinesProject ? 0m : decimal.Round(t.Cost, 6);
            Assert.InRange(l.Cost / 1_000_000m - cost, -0.000002m, 0.000002m);
        }

        var perKeyAndDay = hours.GroupBy(x => (x.Workspace, x.KeyId, Day: x.HourStart.ToUnixTimeSeconds() / 86400))
            .ToDictionary(g => g.Key, g => decimal.Round(g.Sum(h.Scenario.CostOf), 6));
        var ledgerPerKeyAndDay = (await h.Ledger.QueryAsync<(string Workspace, string KeyId, long Day, long Cost)>(
            "SELECT workspace, key_id, bucket_start / 86400, SUM(cost_micros) FROM usage_records WHERE account = 'openai-test' GROUP BY 1, 2, 3"))
            .ToDictionary(r => (r.Workspace, r.KeyId, r.Day), r => r.Cost / 1_000_000m);
        Assert.Equal(perKeyAndDay.OrderBy(e => e.Key.ToString()), ledgerPerKeyAndDay.OrderBy(e => e.Key.ToString()));
        Assert.Equal(
            hours.Where(x => x.Workspace == FakeOpenAIEndpoints.UnnamedLinesProject).Select(x => x.HourStart.ToUnixTimeSeconds() / 86400).Distinct().Count(),
            await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records WHERE account = 'openai-test' AND model = '(unattributed)' AND bucket_width = '1d'"));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records WHERE account = 'openai-test' AND cost_source <> 'reported'"));
    }

    [Theory, BothDialects]
    public async Task PullAllAsync_Mistral_DailyTokensAndEurCostPerWorkspaceAndModel(SqlDialect dialect)
    {
        await using var h = await PullHarness.StartAsync(dialect: dialect);

        var results = await h.Pulls.PullAllAsync("mistral-test", null, null, null, CancellationToken.None);

        Assert.True(results.Single().Ok, results.Single().Error);
        var truth = h.Scenario.Hours.Where(x => x.Provider == DemoScenario.Mistral)
            .GroupBy(x => (x.Workspace, x.Model, Day: new DateTimeOffset(x.HourStart.UtcDateTime.Date, TimeSpan.Zero).ToUnixTimeSeconds()))
            .ToDictionary(g => g.Key, g => (Input: g.Sum(x => x.InputTokens), Cached: g.Sum(x => x.CachedInputTokens), Output: g.Sum(x => x.OutputTokens),
                Cost: (long)decimal.Round(g.Sum(h.Scenario.CostOf) * 1_000_000m, MidpointRounding.ToEven)));
        var ledger = (await h.Ledger.QueryAsync<(string Workspace, string Model, long Day, long Input, long Cached, long Output, long Cost, string Currency, string Width)>(
            "SELECT workspace, model, bucket_start, input_tokens, cached_input_tokens, output_tokens, cost_micros, currency, bucket_width FROM usage_records WHERE account = 'mistral-test'"))
            .ToDictionary(r => (r.Workspace, r.Model, r.Day));

        Assert.Equal(truth.Count, ledger.Count);
        foreach (var (key, t) in truth)
        {
            var l = ledger[key];
            Assert.Equal((t.Input, t.Cached, t.Output, "EUR", "1d"), (l.Input, l.Cached, l.Output, l.Currency, l.Width));
            Assert.InRange(l.Cost - t.Cost, -1, 1); // one rounding to micro-units per record
        }
    }

    [Theory, BothDialects]
    public async Task PullAllAsync_Twice_ReplacesInsteadOfDoubleCounting(SqlDialect dialect)
    {
        await using var h = await PullHarness.StartAsync(dialect: dialect);
        await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None);
        var first = await h.Ledger.ScalarAsync<long>("SELECT SUM(cost_micros) FROM usage_records");
        var rows = await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records");

        await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None);

        Assert.Equal(first, await h.Ledger.ScalarAsync<long>("SELECT SUM(cost_micros) FROM usage_records"));
        Assert.Equal(rows, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records"));
        Assert.True(await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM pull_runs WHERE outcome = 'ok'") >= 4);
    }

    [Theory, BothDialects]
    public async Task PullAllAsync_Inventory_StoresKeysModelsAndSpendLimitWithoutSecrets(SqlDialect dialect)
    {
        await using var h = await PullHarness.StartAsync(dialect: dialect);

        await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None);

        Assert.Equal(h.Scenario.Keys.Count(k => k.Provider is DemoScenario.Mistral or DemoScenario.OpenAI), await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM api_keys"));
        Assert.Equal("mistral-medium-3-5", await h.Ledger.ScalarAsync<string>("SELECT replacement FROM models WHERE account = 'mistral-test' AND model = 'mistral-medium-2505'"));
        Assert.Equal(1, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM spend_limits WHERE account = 'mistral-test' AND currency = 'EUR' AND limit_micros = 500000000"));
        var lastFours = await h.Ledger.QueryAsync<string>("SELECT last_four FROM api_keys");
        Assert.All(lastFours, l => Assert.True(l is null || l.Length == 4));
    }

    [Theory, BothDialects]
    public async Task PullAllAsync_WrongKey_FailsThatAccountNamesStatusWritesNothingAndHidesTheKey(SqlDialect dialect)
    {
        await using var h = await PullHarness.StartAsync(keyOverride: "sk-wrong-key-0123456789abcdef", dialect: dialect);

        var results = await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None);

        Assert.All(results, r => Assert.False(r.Ok));
        Assert.Contains("HTTP 401", results[0].Error, StringComparison.Ordinal);
        Assert.Contains("mistral-test (Mistral)", results[0].Error, StringComparison.Ordinal);
        await h.AssertRejectedWithoutTraceAsync("0123456789abcdef");
    }

    [Theory, BothDialects]
    public async Task PullAllAsync_Backfill_DoesNotMoveWatermarkBack(SqlDialect dialect)
    {
        await using var h = await PullHarness.StartAsync(dialect: dialect);
        await h.Pulls.PullAllAsync("openai-test", null, null, null, CancellationToken.None);
        var watermark = await h.Ledger.ScalarAsync<long>("SELECT watermark FROM watermarks WHERE account = 'openai-test'");

        await h.Pulls.PullAllAsync("openai-test", PullHarness.Now.AddDays(-20), PullHarness.Now.AddDays(-18), null, CancellationToken.None);

        Assert.Equal(PullHarness.Now.ToUnixTimeSeconds(), watermark);
        Assert.Equal(watermark, await h.Ledger.ScalarAsync<long>("SELECT watermark FROM watermarks WHERE account = 'openai-test'"));
    }

    [Theory, BothDialects]
    public async Task PullAllAsync_TheKeyNeverReachesTheDatabaseFiles(SqlDialect dialect)
    {
        await using var h = await PullHarness.StartAsync(days: 7, dialect: dialect);
        var key = Environment.GetEnvironmentVariable(h.KeyVariable)!;

        await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        foreach (var file in Directory.GetFiles(h.Ledger.Folder))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.True(bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(key)) < 0, $"{file} holds the key");
        }
    }

    [Theory, BothDialects]
    public async Task PullAllAsync_FromAfterTo_IsBadInputNamingTheOption(SqlDialect dialect)
    {
        await using var h = await PullHarness.StartAsync(days: 7, dialect: dialect);

        var error = await Assert.ThrowsAsync<BadInputException>(() =>
            h.Pulls.PullAllAsync("openai-test", PullHarness.Now, PullHarness.Now.AddDays(-1), null, CancellationToken.None));

        Assert.StartsWith("--from:", error.Message, StringComparison.Ordinal);
    }

    [Theory, BothDialects]
    public async Task PullAllAsync_NothingNewSinceTheWatermark_IsANoOpNotAnError(SqlDialect dialect)
    {
        await using var h = await PullHarness.StartAsync(days: 7, lookBack: "00:00:00", dialect: dialect);
        await h.Pulls.PullAllAsync("openai-test", null, null, null, CancellationToken.None);

        var again = await h.Pulls.PullAllAsync("openai-test", null, null, null, CancellationToken.None);

        Assert.True(again.Single().Ok, again.Single().Error);
        Assert.Equal(0, again.Single().Records);
    }
}
