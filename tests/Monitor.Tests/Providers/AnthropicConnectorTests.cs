using System.Diagnostics;
using System.Globalization;
using Monitor.Demo;
using Monitor.Tests.Support;

namespace Monitor.Tests.Providers;

/// <summary>
/// The Anthropic connector over real HTTP against the fake Admin API (x-api-key): the ledger must equal the scenario's
/// truth per workspace, key, model and day, through paging, retries and failures.
/// </summary>
public sealed class AnthropicConnectorTests
{
    private const string Account = "anthropic-test";
    private const string UsagePath = "/anthropic/v1/organizations/usage_report/messages";
    private const string CostPath = "/anthropic/v1/organizations/cost_report";
    private const string KeysPath = "/anthropic/v1/organizations/api_keys";
    private static readonly (string Prefix, string Kind)[] Accounts = [("anthropic", "Anthropic")];

    [Fact]
    public async Task PullAllAsync_Anthropic_LedgerEqualsScenarioPerKeyModelAndDay()
    {
        await using var h = await StartAsync();

        var results = await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None);

        Assert.True(results.Single().Ok, results.Single().Error);
        await AssertLedgerEqualsTruthAsync(h);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>($"SELECT COUNT(*) FROM usage_records WHERE account = '{Account}' AND (cost_source <> 'reported' OR bucket_width <> '1h' OR currency <> 'USD' OR estimated_cost_micros IS NULL)"));
    }

    [Fact]
    public async Task PullAllAsync_WindowLongerThanAPage_WalksEveryPageOfBothReports()
    {
        // One 40-day chunk: 960 hourly buckets at 168 a page, and 40 daily cost buckets at 31 a page.
        await using var h = await StartAsync(settings: new Dictionary<string, string?> { ["Monitor:Pull:ChunkSize"] = "40.00:00:00" });

        var results = await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None);

        Assert.True(results.Single().Ok, results.Single().Error);
        var requests = h.Server.Faults.Log.Where(l => l.Status == 200).Select(l => l.PathAndQuery).ToList();
        Assert.True(requests.Count(r => r.StartsWith(UsagePath + "?", StringComparison.Ordinal)) >= 5);
        Assert.True(requests.Count(r => r.StartsWith(UsagePath + "?", StringComparison.Ordinal) && r.Contains("&page=page_", StringComparison.Ordinal)) >= 4);
        Assert.Contains(requests, r => r.StartsWith(CostPath + "?", StringComparison.Ordinal) && r.Contains("&page=page_", StringComparison.Ordinal));
        await AssertLedgerEqualsTruthAsync(h);
    }

    [Fact]
    public async Task PullAllAsync_RateLimitedWithRetryAfter_WaitsThenSucceeds()
    {
        await using var h = await StartAsync(days: 7);
        h.Server.Faults.Add(UsagePath, new FakeFault(429,
            """{"type":"error","error":{"type":"rate_limit_error","message":"Number of requests has exceeded your rate limit"},"request_id":"req_011CRate"}""", 1));

        var results = await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None);

        Assert.True(results.Single().Ok, results.Single().Error);
        var usage = h.Server.Faults.Log.Where(l => l.PathAndQuery.StartsWith(UsagePath, StringComparison.Ordinal)).ToList();
        var limited = usage.FindIndex(l => l.Status == 429);
        Assert.True(limited >= 0);
        Assert.Equal(200, usage[limited + 1].Status);
        Assert.True(usage[limited + 1].At - usage[limited].At >= TimeSpan.FromMilliseconds(900),
            $"retried after {(usage[limited + 1].At - usage[limited].At).TotalMilliseconds} ms");
        await AssertLedgerEqualsTruthAsync(h);
    }

    [Fact]
    public async Task PullAllAsync_ServerErrorOnce_RetriesAndCountsNothingTwice()
    {
        await using var h = await StartAsync(days: 7);
        h.Server.Faults.Add(CostPath, new FakeFault(500,
            """{"type":"error","error":{"type":"api_error","message":"Internal server error"},"request_id":"req_011CBoom"}"""));

        var results = await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None);

        Assert.True(results.Single().Ok, results.Single().Error);
        Assert.Contains(h.Server.Faults.Log, l => l.PathAndQuery.StartsWith(CostPath, StringComparison.Ordinal) && l.Status == 500);
        await AssertLedgerEqualsTruthAsync(h);
    }

    [Fact]
    public async Task PullAllAsync_WrongKey_FailsNamingProviderEndpointAnd401WritesNothingHidesTheKey()
    {
        await using var h = await StartAsync(days: 7, keyOverride: "sk-ant-admin01-wrong-0123456789abcdef");

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains($"{Account} (Anthropic)", result.Error, StringComparison.Ordinal);
        Assert.Contains("GET /v1/organizations/api_keys", result.Error, StringComparison.Ordinal);
        Assert.Contains("HTTP 401", result.Error, StringComparison.Ordinal);
        Assert.Contains("authentication_error", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM api_keys"));
        await h.AssertRejectedWithoutTraceAsync("0123456789abcdef");
    }

    [Fact]
    public async Task PullAllAsync_MalformedJson_FailsNamingEndpointWritesNothingKeepsWatermark()
    {
        await using var h = await StartAsync(days: 7);
        Assert.True((await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single().Ok);
        var watermark = await h.Ledger.ScalarAsync<long>($"SELECT watermark FROM watermarks WHERE account = '{Account}'");
        var before = await LedgerStateAsync(h);
        h.Ledger.Clock.Advance(TimeSpan.FromHours(2));
        var served = h.Server.Faults.Log.Count;
        h.Server.Faults.Add(CostPath, new FakeFault(200, """{"data":[{"starting_at":"2026-11-20T00:00:00Z","results":[{"amount":"12"""));

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains("GET /v1/organizations/cost_report", result.Error, StringComparison.Ordinal);
        Assert.Contains("malformed JSON", result.Error, StringComparison.Ordinal);
        Assert.Contains(h.Server.Faults.Log.Skip(served), l => l.PathAndQuery.StartsWith(UsagePath, StringComparison.Ordinal) && l.Status == 200);
        Assert.Equal(before, await LedgerStateAsync(h));
        Assert.Equal(watermark, await h.Ledger.ScalarAsync<long>($"SELECT watermark FROM watermarks WHERE account = '{Account}'"));
        Assert.Equal(1, await h.Ledger.ScalarAsync<long>($"SELECT COUNT(*) FROM pull_runs WHERE account = '{Account}' AND outcome = 'failed' AND endpoint = 'GET /v1/organizations/cost_report'"));
    }

    [Fact]
    public async Task PullAllAsync_UnknownFieldsAndNullGroupKeys_IgnoredAndMappedToEmpty()
    {
        await using var h = await StartAsync(days: 7);
        var day = new DateTimeOffset(2026, 11, 19, 0, 0, 0, TimeSpan.Zero);
        h.Server.Faults.Add(UsagePath, new FakeFault(200, """
            {"data":[{"starting_at":"2026-11-19T10:00:00Z","ending_at":"2026-11-19T11:00:00Z","novelty":[1,2],
              "results":[{"uncached_input_tokens":100,"cache_read_input_tokens":50,
                "cache_creation":{"ephemeral_1h_input_tokens":5,"ephemeral_5m_input_tokens":7,"ephemeral_24h_input_tokens":99},
                "output_tokens":40,"server_tool_use":{"web_search_requests":2,"code_runs":3},"api_key_id":null,"workspace_id":null,
                "model":"claude-sonnet-4-5-20250929","service_tier":"priority","speed":"fast","brand_new":{"x":1}}]}],
             "has_more":false,"next_page":null,"extra_top":"ignored"}
            """));
        h.Server.Faults.Add(CostPath, new FakeFault(200, """
            {"data":[{"starting_at":"2026-11-19T00:00:00Z","ending_at":"2026-11-20T00:00:00Z",
              "results":[
                {"currency":"USD","amount":"100.5","workspace_id":null,"description":"Claude Sonnet 4.5 Usage - Input Tokens","cost_type":"tokens",
                 "model":"claude-sonnet-4-5-20250929","service_tier":"standard","token_type":"uncached_input_tokens","future":"x"},
                {"currency":"USD","amount":"49.5","workspace_id":null,"description":"Claude Sonnet 4.5 Usage - Output Tokens","cost_type":"tokens",
                 "model":"claude-sonnet-4-5-20250929","service_tier":"standard","token_type":"output_tokens"},
                {"currency":"USD","amount":"25","workspace_id":null,"description":"Web Search Usage","cost_type":"web_search","model":null,"token_type":null},
                {"currency":"USD","amount":"3.25","workspace_id":"wrkspc_01Agents","description":"Code Execution Usage","cost_type":"code_execution"}]}],
             "has_more":false,"next_page":null}
            """));

        var result = (await h.Pulls.PullAllAsync(Account, day, day.AddDays(1), null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        var rows = (await h.Ledger.QueryAsync<(string Workspace, string KeyId, string Model, string Category, string Width, long Input, long Cached, long Write, long Output, long Units, long Cost, string Source)>(
            $"""
            SELECT workspace, key_id, model, category, bucket_width, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, units, cost_micros, cost_source
            FROM usage_records WHERE account = '{Account}' ORDER BY model, category
            """)).ToList();
        Assert.Equal(
            new[]
            {
                // Code execution is in the cost report only: a day record of its own category.
                ("wrkspc_01Agents", "", "(unattributed)", "code_execution", "1d", 0L, 0L, 0L, 0L, 0L, 32_500L, "reported"),
                // The standard token lines (100.5 + 49.5 cents) find no standard usage that day: a day record of the model.
                ("", "", "claude-sonnet-4-5-20250929", "", "1d", 0L, 0L, 0L, 0L, 0L, 1_500_000L, "reported"),
                // Priority usage is not in the cost report: estimated, (100 x 3 + 50 x 0.30 + 12 x 3.75 + 40 x 15) per 1M tokens.
                ("", "", "claude-sonnet-4-5-20250929", "priority", "1h", 100L, 50L, 12L, 40L, 0L, 960L, "estimated"),
                // Its 2 web searches take the day's web search cost (25 cents).
                ("", "", "claude-sonnet-4-5-20250929", "web_search", "1h", 0L, 0L, 0L, 0L, 2L, 250_000L, "reported"),
            },
            rows);
    }

    [Fact]
    public async Task PullAllAsync_Inventory_StoresKeysWithDatesAndNoModelsOrBalance()
    {
        await using var h = await StartAsync(days: 7);

        await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None);

        var keys = (await h.Ledger.QueryAsync<(string KeyId, string Name, string Kind, string Workspace, string? Fingerprint, string LastFour, string Owner, string Status, long Created, long? Expires, long? LastUsed)>(
            $"""
            SELECT key_id, name, kind, workspace, fingerprint, last_four, owner, status, created_at, expires_at, last_used_at
            FROM api_keys WHERE account = '{Account}' ORDER BY key_id
            """)).ToList();
        var truth = h.Scenario.Keys.Where(k => k.Provider == DemoScenario.Anthropic).OrderBy(k => k.KeyId, StringComparer.Ordinal)
            .Select(k => (k.KeyId, k.Name, "api", k.WorkspaceId!, (string?)null, k.RedactedValue[^4..],
                "user_01" + k.OwnerEmail.Split('@')[0].Replace(".", "", StringComparison.Ordinal), "active",
                k.CreatedAt.ToUnixTimeSeconds(), k.ExpiresAt?.ToUnixTimeSeconds(), (long?)null))
            .ToList();
        Assert.Equal(2, truth.Count);
        Assert.Equal(truth, keys);
        Assert.Contains(keys, k => k.Expires is not null);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>($"SELECT COUNT(*) FROM models WHERE account = '{Account}'"));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>($"SELECT COUNT(*) FROM credit_balances WHERE account = '{Account}'"));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>($"SELECT COUNT(*) FROM spend_limits WHERE account = '{Account}'"));
    }

    [Fact]
    public async Task PullAllAsync_KeyListingOverTwoPages_WalksAfterIdAndMapsStatuses()
    {
        await using var h = await StartAsync(days: 7);
        h.Server.Faults.Add(KeysPath, new FakeFault(200, """
            {"data":[
              {"type":"api_key","id":"apikey_01Archived","name":"old","created_at":"2026-01-02T03:04:05Z",
               "created_by":{"id":"user_01X","type":"user"},"expires_at":null,"partial_key_hint":"sk-ant-api03-Abc...WXYZ",
               "status":"archived","workspace_id":null,"scope":{"type":"organization"},"principal":{"type":"user_actor"}},
              {"type":"api_key","id":"apikey_01ResearchBot","name":"research-bot","created_at":"2026-10-13T15:00:00Z",
               "created_by":{"id":"user_01ginarossi","type":"user"},"expires_at":"2026-12-01T00:00:00Z","partial_key_hint":"sk-ant-api03-R2D...igAA",
               "status":"inactive","workspace_id":"wrkspc_01Research"}],
             "first_id":"apikey_01Archived","last_id":"apikey_01ResearchBot","has_more":true}
            """));

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        Assert.Contains(h.Server.Faults.Log, l => l.PathAndQuery.StartsWith(KeysPath, StringComparison.Ordinal) && l.PathAndQuery.Contains("after_id=apikey_01ResearchBot", StringComparison.Ordinal));
        var keys = (await h.Ledger.QueryAsync<(string KeyId, string Workspace, string Status, string LastFour, long? Expires)>(
            $"SELECT key_id, workspace, status, last_four, expires_at FROM api_keys WHERE account = '{Account}' ORDER BY key_id")).ToList();
        Assert.Equal(
            new[]
            {
                ("apikey_01AgentRunner", "wrkspc_01Agents", "active", "Lm2Q", h.Scenario.Keys.Single(k => k.KeyId == "apikey_01AgentRunner").ExpiresAt?.ToUnixTimeSeconds()),
                ("apikey_01Archived", "", "archived", "WXYZ", null),
                ("apikey_01ResearchBot", "wrkspc_01Research", "disabled", "igAA", DateTimeOffset.Parse("2026-12-01T00:00:00Z", CultureInfo.InvariantCulture).ToUnixTimeSeconds()),
            },
            keys);
    }

    private static Task<PullHarness> StartAsync(int days = 30, string? keyOverride = null, IDictionary<string, string?>? settings = null) =>
        PullHarness.StartAsync(days, keyOverride, accounts: Accounts, settings: settings);

    private static async Task<(long Rows, long MaxBatch, long Cost)> LedgerStateAsync(PullHarness h)
    {
        var rows = await h.Ledger.QueryAsync<(long, long, long)>(
            $"SELECT COUNT(*), COALESCE(MAX(batch_id), 0), COALESCE(SUM(cost_micros), 0) FROM usage_records WHERE account = '{Account}'");
        return rows.Single();
    }

    /// <summary>Tokens by kind (requests are 0: the report has none) and reported cost per workspace, key, model and day.</summary>
    private static async Task AssertLedgerEqualsTruthAsync(PullHarness h)
    {
        var truth = h.Scenario.Hours.Where(x => x.Provider == DemoScenario.Anthropic)
            .GroupBy(x => (x.Workspace, x.KeyId, x.Model, Day: x.HourStart.ToUnixTimeSeconds() / 86400))
            .ToDictionary(g => g.Key, g => (
                Input: g.Sum(x => x.InputTokens), Cached: g.Sum(x => x.CachedInputTokens), Write: g.Sum(x => x.CacheWriteTokens),
                Output: g.Sum(x => x.OutputTokens), Requests: 0L, Cost: decimal.Round(g.Sum(h.Scenario.CostOf), 6)));
        var ledger = (await h.Ledger.QueryAsync<(string Workspace, string KeyId, string Model, long Day, long Input, long Cached, long Write, long Output, long Requests, long Cost)>(
            $"""
            SELECT workspace, key_id, model, bucket_start / 86400, SUM(input_tokens), SUM(cached_input_tokens), SUM(cache_write_tokens),
                   SUM(output_tokens), SUM(requests), SUM(cost_micros)
            FROM usage_records WHERE account = '{Account}' GROUP BY 1, 2, 3, 4
            """)).ToDictionary(r => (r.Workspace, r.KeyId, r.Model, r.Day));

        Assert.NotEmpty(truth);
        Assert.Equal(truth.Keys.OrderBy(k => k.ToString()), ledger.Keys.OrderBy(k => k.ToString()));
        foreach (var (key, t) in truth)
        {
            var l = ledger[key];
            Assert.Equal((t.Input, t.Cached, t.Write, t.Output, t.Requests), (l.Input, l.Cached, l.Write, l.Output, l.Requests));
            Assert.Equal(t.Cost, l.Cost / 1_000_000m); // the reported cost, spread over the hours, sums exactly
        }
    }
}
