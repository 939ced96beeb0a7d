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
    public async Task PullAllAsync_Activity_LedgerEqualsTheFakesBookingPerWorkspaceKeyModelCategoryAndDay()
    {
        await using var h = await PullHarness.StartAsync(days: 40, accounts: Accounts);

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        var truth = Truth(h.Scenario);
        AssertSame(truth, await LedgerAsync(h));
        Assert.Equal(30, truth.Keys.Select(k => k.Day).Distinct().Count());
        Assert.Contains(truth.Keys, k => k.Category == OpenRouterConnector.ByokCategory);
        Assert.Contains(truth.Keys, k => k.KeyId == OpenRouterConnector.Unattributed);
        var widths = await h.Ledger.QueryAsync<(string Width, string Source, string Currency)>(
            "SELECT DISTINCT bucket_width, cost_source, currency FROM usage_records WHERE account = @Account", new { Account });
        Assert.Equal(("1d", "reported", "USD"), Assert.Single(widths));
        var keys = h.Scenario.Keys.Where(k => k.Provider == DemoScenario.OpenRouter).ToDictionary(k => k.KeyId, k => k.RedactedValue);
        var fingerprints = await h.Ledger.QueryAsync<(string KeyId, string Fingerprint)>(
            "SELECT DISTINCT key_id, key_fingerprint FROM usage_records WHERE account = @Account AND key_fingerprint IS NOT NULL", new { Account });
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
    public async Task PullAllAsync_KeysOnePerPage_WalksEveryPageOfEveryWorkspaceOnceAndAsksActivityPerKey()
    {
        await using var h = await PullHarness.StartAsync(accounts: Accounts);

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        var workspaces = h.Scenario.Workspaces.Where(w => w.Provider == DemoScenario.OpenRouter).Select(w => w.Id).ToList();
        var keyPages = h.Server.Faults.Log.Where(l => l.PathAndQuery.StartsWith("/openrouter/v1/keys?", StringComparison.Ordinal)).Select(l => l.PathAndQuery).ToList();
        Assert.Equal(
            [
                // the default workspace: two keys (one disabled), one per page, then the empty page
                .. Enumerable.Range(0, 3).Select(o => $"/openrouter/v1/keys?include_disabled=true&workspace_id={workspaces[0]}&offset={o}"),
                // the second workspace: one key, then the empty page
                .. Enumerable.Range(0, 2).Select(o => $"/openrouter/v1/keys?include_disabled=true&workspace_id={workspaces[1]}&offset={o}"),
            ],
            keyPages); // listed once for the whole pull
        var asked = h.Server.Faults.Log.Where(l => l.PathAndQuery.StartsWith("/openrouter/v1/activity?api_key_hash=", StringComparison.Ordinal))
            .Select(l => l.PathAndQuery.Split("api_key_hash=")[1].Split('&')[0]).ToHashSet();
        Assert.Contains(FakeOpenRouterEndpoints.DisabledKeyHash, asked);
        Assert.Equal(3, asked.Count);
        Assert.Single(h.Server.Faults.Log, l => l.PathAndQuery == "/openrouter/v1/activity?group_by=workspace");
        Assert.Equal(3, await h.Ledger.ScalarAsync<long>("SELECT COUNT(DISTINCT key_id) FROM usage_records WHERE account = @Account", new { Account }));
    }

    [Fact]
    public async Task PullAllAsync_TooManyRequestsWithRetryAfter_RetriesAfterTheDelayAndSucceeds()
    {
        await using var h = await PullHarness.StartAsync(accounts: Accounts);
        h.Server.Faults.Add("/openrouter/v1/activity",
            new FakeFault(429, """{"error":{"code":429,"message":"Rate limit exceeded","metadata":{"error_type":"rate_limit_exceeded"}}}""", RetryAfterSeconds: 1));

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        RetryAssertions.AssertRetriedAfter(h.Server);
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
        var used = decimal.Round(FakeOpenRouterEndpoints.Units(h.Scenario).Sum(u => u.Usage), 6); // credits: BYOK hours at the fee only
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

    /// <summary>
    /// What the fake books over the last 30 completed days, per workspace, key, model, category and day: credits and
    /// tokens under the plain category, BYOK upstream cost under its own, the deleted key's use as unattributed.
    /// </summary>
    private static Dictionary<(string Workspace, string KeyId, string Model, string Category, long Day), Totals> Truth(DemoScenario s)
    {
        var first = FakeOpenRouterEndpoints.FirstActivityDay(s);
        var today = FakeOpenRouterEndpoints.Today(s);
        var units = FakeOpenRouterEndpoints.Units(s).Where(u => u.Hour >= first && u.Hour < today).ToList();
        var plain = units
            .GroupBy(u => (u.Workspace, KeyId: u.KeyHash ?? OpenRouterConnector.Unattributed, u.Model, Category: "", Day: u.Hour.ToUnixTimeSeconds() / 86400))
            .Select(g => (g.Key, Totals: new Totals(
                g.Sum(u => u.PromptTokens), 0, 0, g.Sum(u => u.CompletionTokens), g.Sum(u => u.ReasoningTokens), g.Sum(u => u.Requests),
                MoneyUnits.ToMicros(g.Sum(u => u.Usage)))));
        var byok = units.Where(u => u.Byok != 0)
            .GroupBy(u => (u.Workspace, KeyId: u.KeyHash!, u.Model, Category: OpenRouterConnector.ByokCategory, Day: u.Hour.ToUnixTimeSeconds() / 86400))
            .Select(g => (g.Key, Totals: new Totals(0, 0, 0, 0, 0, 0, MoneyUnits.ToMicros(g.Sum(u => u.Byok)))));
        return plain.Concat(byok).ToDictionary(x => x.Key, x => x.Totals);
    }

    private static async Task<Dictionary<(string Workspace, string KeyId, string Model, string Category, long Day), Totals>> LedgerAsync(PullHarness h) =>
        (await h.Ledger.QueryAsync<(string Workspace, string KeyId, string Model, string Category, long Day, long Input, long Cached, long Write, long Output, long Reasoning, long Requests, long Cost)>(
            """
            SELECT workspace, key_id, model, category, bucket_start / 86400, SUM(input_tokens), SUM(cached_input_tokens), SUM(cache_write_tokens),
                   SUM(output_tokens), SUM(reasoning_tokens), SUM(requests), SUM(cost_micros)
            FROM usage_records WHERE account = @Account GROUP BY 1, 2, 3, 4, 5
            """, new { Account }))
        .ToDictionary(r => (r.Workspace, r.KeyId, r.Model, r.Category, r.Day), r => new Totals(r.Input, r.Cached, r.Write, r.Output, r.Reasoning, r.Requests, r.Cost));

    private static void AssertSame(
        Dictionary<(string Workspace, string KeyId, string Model, string Category, long Day), Totals> expected,
        Dictionary<(string Workspace, string KeyId, string Model, string Category, long Day), Totals> actual)
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
