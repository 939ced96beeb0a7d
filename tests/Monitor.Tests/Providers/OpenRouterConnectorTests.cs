using Monitor.Core.Keys;
using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Demo;
using Monitor.Providers;
using Monitor.Storage;
using Monitor.Tests.Support;

namespace Monitor.Tests.Providers;

/// <summary>The OpenRouter connector over real HTTP against the fake OpenRouter: the ledger must equal the scenario's truth.</summary>
public sealed class OpenRouterConnectorTests
{
    private const string Account = "openrouter-test";
    private static readonly (string, string)[] Accounts = [("openrouter", "OpenRouter")];

    [Fact]
    public async Task PullAllAsync_Activity_LedgerEqualsScenarioPerKeyModelAndDayForTheLast30CompletedDays()
    {
        await using var h = await PullHarness.StartAsync(days: 40, accounts: Accounts);

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        var truth = Truth(h.Scenario);
        AssertSame(truth, await LedgerAsync(h));
        Assert.Equal(30, truth.Keys.Select(k => k.Day).Distinct().Count());
        var widths = await h.Ledger.QueryAsync<(string Width, string Source, string Currency)>(
            "SELECT DISTINCT bucket_width, cost_source, currency FROM usage_records WHERE account = @Account", new { Account });
        Assert.Equal(("1d", "reported", "USD"), Assert.Single(widths));
        var keys = h.Scenario.Keys.Where(k => k.Provider == DemoScenario.OpenRouter).ToDictionary(k => k.KeyId, k => k.RedactedValue);
        var fingerprints = await h.Ledger.QueryAsync<(string KeyId, string Fingerprint)>(
            "SELECT DISTINCT key_id, key_fingerprint FROM usage_records WHERE account = @Account", new { Account });
        Assert.Equal(2, fingerprints.Count);
        Assert.All(fingerprints, f => Assert.Equal(KeyFingerprint.FromHash(f.KeyId, keys[f.KeyId][^3..]), f.Fingerprint));
    }

    [Fact]
    public async Task PullAllAsync_LedgerHasOlderDays_KeepsWhatTheApiCannotServeAndReplacesTheRest()
    {
        await using var h = await PullHarness.StartAsync(days: 40, accounts: Accounts);
        var first = FakeOpenRouterEndpoints.FirstActivityDay(h.Scenario);
        await SeedAsync(h, first.AddDays(-5), "old/model-kept");
        await SeedAsync(h, first.AddDays(3), "gone/model-replaced");

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        Assert.Equal(1, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records WHERE model = 'old/model-kept'"));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records WHERE model = 'gone/model-replaced'"));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>(
            "SELECT COUNT(*) FROM usage_records WHERE account = @Account AND model <> 'old/model-kept' AND (bucket_start < @from OR bucket_start >= @today)",
            new { Account, from = first.ToUnixTimeSeconds(), today = FakeOpenRouterEndpoints.Today(h.Scenario).ToUnixTimeSeconds() }));
        // Usage is complete up to the last completed day, not up to now.
        Assert.Equal(FakeOpenRouterEndpoints.Today(h.Scenario).ToUnixTimeSeconds(),
            await h.Ledger.ScalarAsync<long>("SELECT watermark FROM watermarks WHERE account = @Account", new { Account }));
    }

    [Fact]
    public async Task PullAllAsync_KeysOnePerPage_WalksEveryPageOnceAndAsksActivityPerKey()
    {
        await using var h = await PullHarness.StartAsync(accounts: Accounts);

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        var keyPages = h.Server.Faults.Log.Where(l => l.PathAndQuery.StartsWith("/openrouter/v1/keys?", StringComparison.Ordinal)).Select(l => l.PathAndQuery).ToList();
        Assert.Equal(
            [.. Enumerable.Range(0, 4).Select(o => $"/openrouter/v1/keys?include_disabled=true&offset={o}")],
            keyPages); // three keys, one per page, then the empty page; listed once for the whole pull
        var asked = h.Server.Faults.Log.Where(l => l.PathAndQuery.StartsWith("/openrouter/v1/activity?", StringComparison.Ordinal))
            .Select(l => l.PathAndQuery.Split("api_key_hash=")[1]).ToHashSet();
        Assert.Contains(FakeOpenRouterEndpoints.DisabledKeyHash, asked);
        Assert.Equal(3, asked.Count);
        Assert.Equal(2, await h.Ledger.ScalarAsync<long>("SELECT COUNT(DISTINCT key_id) FROM usage_records WHERE account = @Account", new { Account }));
    }

    [Fact]
    public async Task PullAllAsync_TooManyRequestsWithRetryAfter_RetriesAfterTheDelayAndSucceeds()
    {
        await using var h = await PullHarness.StartAsync(accounts: Accounts);
        h.Server.Faults.Add("/openrouter/v1/activity",
            new FakeFault(429, """{"error":{"code":429,"message":"Rate limit exceeded","metadata":{"error_type":"rate_limit_exceeded"}}}""", RetryAfterSeconds: 1));

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        var log = h.Server.Faults.Log.ToList();
        var limited = log.FindIndex(l => l.Status == 429);
        var retry = log.FindIndex(limited + 1, l => l.PathAndQuery == log[limited].PathAndQuery);
        Assert.Equal(200, log[retry].Status);
        Assert.True(log[retry].At - log[limited].At >= TimeSpan.FromSeconds(0.9), $"retried after {(log[retry].At - log[limited].At).TotalMilliseconds} ms");
        AssertSame(Truth(h.Scenario), await LedgerAsync(h));
    }

    [Fact]
    public async Task PullAllAsync_ServerErrorThenSuccess_SucceedsWithoutDoubling()
    {
        await using var h = await PullHarness.StartAsync(accounts: Accounts);
        h.Server.Faults.Add("/openrouter/v1/activity", FakeFault.ServerError());

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        Assert.Contains(h.Server.Faults.Log, l => l.Status == 500);
        AssertSame(Truth(h.Scenario), await LedgerAsync(h));
    }

    [Fact]
    public async Task PullAllAsync_WrongKey_FailsNamingProviderEndpointAnd401WritesNothingAndHidesTheKey()
    {
        await using var h = await PullHarness.StartAsync(keyOverride: "sk-or-v1-0123456789abcdef0123456789abcdef", accounts: Accounts);

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains("openrouter-test (OpenRouter) GET /v1/key: HTTP 401", result.Error, StringComparison.Ordinal);
        Assert.Contains("No auth credentials found", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM api_keys"));
        await h.AssertRejectedWithoutTraceAsync("0123456789abcdef");
    }

    [Fact]
    public async Task PullAllAsync_InferenceKey_FailsSayingAManagementKeyIsNeeded()
    {
        await using var h = await PullHarness.StartAsync(accounts: Accounts);
        h.Server.Faults.Add("/openrouter/v1/key",
            new FakeFault(200, """{"data":{"label":"sk-or-v1-au7...890","is_management_key":false,"is_provisioning_key":false,"usage":1.5,"limit":null}}"""),
            times: 5);

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains("GET /v1/key", result.Error, StringComparison.Ordinal);
        Assert.Contains("OpenRouter needs a management key for /activity and /keys", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records"));
        Assert.DoesNotContain(h.Server.Faults.Log, l => l.PathAndQuery.StartsWith("/openrouter/v1/activity", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PullAllAsync_MalformedActivityJson_FailsNamingTheEndpointWritesNoUsageAndKeepsTheWatermark()
    {
        await using var h = await PullHarness.StartAsync(accounts: Accounts);
        var today = FakeOpenRouterEndpoints.Today(h.Scenario);
        var first = (await h.Pulls.PullAllAsync(Account, today.AddDays(-10), today.AddDays(-3), null, CancellationToken.None)).Single();
        Assert.True(first.Ok, first.Error);
        var watermark = await h.Ledger.ScalarAsync<long>("SELECT watermark FROM watermarks WHERE account = @Account", new { Account });
        var before = await LedgerAsync(h);
        h.Server.Faults.Add("/openrouter/v1/activity", FakeFault.MalformedJson());

        var result = (await h.Pulls.PullAllAsync(Account, today.AddDays(-3), today, null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains("openrouter-test (OpenRouter) GET /v1/activity: malformed JSON", result.Error, StringComparison.Ordinal);
        AssertSame(before, await LedgerAsync(h));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>(
            "SELECT COUNT(*) FROM usage_records WHERE account = @Account AND bucket_start >= @from", new { Account, from = today.AddDays(-3).ToUnixTimeSeconds() }));
        Assert.Equal(watermark, await h.Ledger.ScalarAsync<long>("SELECT watermark FROM watermarks WHERE account = @Account", new { Account }));
    }

    [Fact]
    public async Task PullAllAsync_UnknownFieldsAndNullWorkspace_IgnoresExtrasAndMapsNullToEmpty()
    {
        await using var h = await PullHarness.StartAsync(accounts: Accounts);
        var key = h.Scenario.Keys.First(k => k.Provider == DemoScenario.OpenRouter);
        var today = FakeOpenRouterEndpoints.Today(h.Scenario);
        var day = today.AddDays(-2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        h.Server.Faults.Add("/openrouter/v1/keys", new FakeFault(200, $$"""
            {"data":[{"hash":"{{key.KeyId}}","name":"Production App","label":"sk-or-v1-a3f...9c1","disabled":false,
              "limit":null,"limit_remaining":null,"limit_reset":null,"include_byok_in_limit":false,"usage":1,
              "created_at":"2026-09-01T10:00:00Z","updated_at":null,"expires_at":null,"creator_user_id":null,
              "workspace_id":null,"x_future":{"nested":[1,2,{"deep":true}]},"tags":["a","b"]}],"x_meta":{"page":0} }
            """));
        h.Server.Faults.Add("/openrouter/v1/activity", new FakeFault(200, $$"""
            {"data":[
              {"date":"{{day}}","model":"openai/gpt-4.1-mini","model_permaslug":"openai/gpt-4.1-mini-2025-04-14","endpoint_id":null,
               "provider_name":null,"requests":3,"prompt_tokens":"100","completion_tokens":40,"reasoning_tokens":null,"usage":0.25,
               "byok_usage_inference":0,"x_new_metric":{"a":[1,2]},"cache_discount":-0.01},
              {"date":"{{day}} 00:00:00","model":"openai/gpt-4.1-mini","model_permaslug":"openai/gpt-4.1-mini-2025-04-14",
               "endpoint_id":"e2","provider_name":"Azure","requests":2,"prompt_tokens":50,"completion_tokens":10,"reasoning_tokens":4,
               "usage":"0.125","byok_usage_inference":0,"x_flag":true}],
             "x_total":2}
            """));

        var result = (await h.Pulls.PullAllAsync(Account, today.AddDays(-3), today, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        var row = Assert.Single(await h.Ledger.QueryAsync<(string Workspace, long Input, long Output, long Reasoning, long Requests, long Cost)>(
            """
            SELECT workspace, input_tokens, output_tokens, reasoning_tokens, requests, cost_micros FROM usage_records
            WHERE account = @Account AND key_id = @KeyId AND bucket_start = @day
            """, new { Account, key.KeyId, day = today.AddDays(-2).ToUnixTimeSeconds() }));
        Assert.Equal(("", 150L, 50L, 4L, 5L, 375_000L), row);
        Assert.Equal("", await h.Ledger.ScalarAsync<string>("SELECT workspace FROM api_keys WHERE account = @Account AND key_id = @KeyId", new { Account, key.KeyId }));
    }

    [Fact]
    public async Task PullAllAsync_Inventory_StoresKeysModelsAndBalance()
    {
        await using var h = await PullHarness.StartAsync(accounts: Accounts);

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        var keys = (await h.Ledger.QueryAsync<(string KeyId, string Name, string Workspace, string? Fingerprint, string? LastFour, string Status, long? Created, long? Expires, long? LastUsed)>(
            "SELECT key_id, name, workspace, fingerprint, last_four, status, created_at, expires_at, last_used_at FROM api_keys WHERE account = @Account",
            new { Account })).ToDictionary(k => k.KeyId);
        Assert.Equal(3, keys.Count);
        foreach (var k in h.Scenario.Keys.Where(k => k.Provider == DemoScenario.OpenRouter))
        {
            var tail = k.RedactedValue.Split("...")[1];
            Assert.Equal(
                (k.KeyId, k.Name, k.WorkspaceId!, KeyFingerprint.FromHash(k.KeyId, tail), tail, "active", k.CreatedAt.ToUnixTimeSeconds(), k.ExpiresAt?.ToUnixTimeSeconds(), (long?)null),
                keys[k.KeyId]);
        }

        Assert.Equal("disabled", keys[FakeOpenRouterEndpoints.DisabledKeyHash].Status);
        var models = (await h.Ledger.QueryAsync<(string Model, string Aliases, long? Shutdown)>(
            "SELECT model, aliases, shutdown_at FROM models WHERE account = @Account", new { Account })).ToDictionary(m => m.Model);
        Assert.Equal(2, models.Count);
        var expiry = new DateTimeOffset(h.Scenario.Now.AddDays(40).UtcDateTime.Date, TimeSpan.Zero);
        Assert.Equal(expiry.ToUnixTimeSeconds(), models[FakeOpenRouterEndpoints.ExpiringModel].Shutdown);
        Assert.Equal(FakeOpenRouterEndpoints.ExpiringModel + "-20250929", models[FakeOpenRouterEndpoints.ExpiringModel].Aliases);
        Assert.Null(models["openai/gpt-4.1-mini"].Shutdown);
        var used = decimal.Round(h.Scenario.Hours.Where(x => x.Provider == DemoScenario.OpenRouter).Sum(h.Scenario.CostOf), 6);
        var balance = Assert.Single(await h.Ledger.QueryAsync<(string Currency, long Remaining, long? Total, long Depleted)>(
            "SELECT currency, remaining_micros, total_micros, depleted FROM credit_balances WHERE account = @Account", new { Account }));
        Assert.Equal(("USD", MoneyUnits.ToMicros(FakeOpenRouterEndpoints.TotalCredits - used), (long?)MoneyUnits.ToMicros(FakeOpenRouterEndpoints.TotalCredits), 0L), balance);
    }

    [Theory]
    [InlineData("sk-or-v1-au7...890", "890")]
    [InlineData("sk-or-v1-a3f...9c1d", "9c1d")]
    [InlineData("sk-or-v1-abcdef0123", "0123")]
    [InlineData("Production API Key", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void TailOf_Label_GivesWhatTheMaskedKeyShowsOfItsEnd(string? label, string? expected) =>
        Assert.Equal(expected, OpenRouterConnector.TailOf(label));

    /// <summary>The scenario's OpenRouter hours of the last 30 completed days, per workspace, key, model and day.</summary>
    private static Dictionary<(string Workspace, string KeyId, string Model, long Day), Totals> Truth(DemoScenario s)
    {
        var first = FakeOpenRouterEndpoints.FirstActivityDay(s);
        var today = FakeOpenRouterEndpoints.Today(s);
        return s.Hours.Where(x => x.Provider == DemoScenario.OpenRouter && x.HourStart >= first && x.HourStart < today)
            .GroupBy(x => (x.Workspace, x.KeyId, x.Model, Day: x.HourStart.ToUnixTimeSeconds() / 86400))
            .ToDictionary(g => g.Key, g => new Totals(
                g.Sum(x => x.InputTokens + x.CachedInputTokens + x.CacheWriteTokens), 0, 0, g.Sum(x => x.OutputTokens),
                g.Sum(x => x.ReasoningTokens), g.Sum(x => x.Requests), MoneyUnits.ToMicros(g.Sum(s.CostOf))));
    }

    private static async Task<Dictionary<(string Workspace, string KeyId, string Model, long Day), Totals>> LedgerAsync(PullHarness h) =>
        (await h.Ledger.QueryAsync<(string Workspace, string KeyId, string Model, long Day, long Input, long Cached, long Write, long Output, long Reasoning, long Requests, long Cost)>(
            """
            SELECT workspace, key_id, model, bucket_start / 86400, SUM(input_tokens), SUM(cached_input_tokens), SUM(cache_write_tokens),
                   SUM(output_tokens), SUM(reasoning_tokens), SUM(requests), SUM(cost_micros)
            FROM usage_records WHERE account = @Account GROUP BY 1, 2, 3, 4
            """, new { Account }))
        .ToDictionary(r => (r.Workspace, r.KeyId, r.Model, r.Day), r => new Totals(r.Input, r.Cached, r.Write, r.Output, r.Reasoning, r.Requests, r.Cost));

    private static void AssertSame(
        Dictionary<(string Workspace, string KeyId, string Model, long Day), Totals> expected,
        Dictionary<(string Workspace, string KeyId, string Model, long Day), Totals> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, totals) in expected)
            Assert.Equal(totals, actual[key]);
    }

    private static async Task SeedAsync(PullHarness h, DateTimeOffset day, string model)
    {
        await using var tx = await LedgerTransaction.BeginAsync(h.Ledger.Database, "import", Account, "seed", PullHarness.Now, CancellationToken.None);
        tx.Upsert(new UsageRecord
        {
            Account = Account,
            Provider = ProviderKind.OpenRouter,
            Model = model,
            BucketStart = day,
            BucketWidth = BucketWidth.Day,
            Tokens = new TokenCounts(1000, 0, 0, 100, 0),
            Requests = 1,
            Cost = 0.5m,
            Currency = Currency.USD,
            CostSource = CostSource.Reported,
            Source = RecordSource.Import,
        });
        await tx.CommitAsync(CancellationToken.None);
    }

    private sealed record Totals(long Input, long Cached, long Write, long Output, long Reasoning, long Requests, long Cost);
}
