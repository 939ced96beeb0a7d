using System.Text.Json.Nodes;
using Monitor.Demo;
using Monitor.Tests.Support;

namespace Monitor.Tests.Providers;

/// <summary>
/// The Anthropic connector against payloads shaped as Anthropic's Admin API reference shows them (tests/Fixtures/anthropic),
/// over real HTTP into a real ledger. Expected figures are worked out by hand from the fixtures. The fixture day is
/// 2026-11-20: standard, long-context, batch and priority usage of Sonnet 4.5 and Haiku 4.5 in two workspaces and the
/// default one; the cost report bills standard and batch tokens per model, tier and context window, web search, code
/// execution and session runtime, and a model without usage; Priority Tier is not in it.
/// </summary>
public sealed class AnthropicContractTests
{
    private const string Account = "anthropic-test";
    private const string UsagePath = "/anthropic/v1/organizations/usage_report/messages";
    private const string CostPath = "/anthropic/v1/organizations/cost_report";
    private const string KeysPath = "/anthropic/v1/organizations/api_keys";
    private const string NextPage = "page_MjAyNi0xMS0yMFQxMjowMDowMFo=";
    private const string Sonnet = "claude-sonnet-4-5-20250929";
    private const string Haiku = "claude-haiku-4-5-20251001";
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Pull_Fixtures_TotalsPerWorkspaceKeyAndModelToTheCent()
    {
        await using var h = await StartAsync();

        await PullDayAsync(h);

        var ledger = (await h.Ledger.QueryAsync<(string Workspace, string KeyId, string Model, long Cost)>(
            $"SELECT workspace, key_id, model, SUM(cost_micros) FROM usage_records WHERE account = '{Account}' GROUP BY 1, 2, 3"))
            .ToDictionary(r => (r.Workspace, r.KeyId, r.Model), r => r.Cost);
        var expected = new Dictionary<(string, string, string), long>
        {
            // Sonnet standard within 200k: input 6.00 + output 4.50 + cache read 0.15 + 5m cache write 0.375 = 11.025;
            // long context: input 12.00 + output 2.25 = 14.25; web search 0.50 paid to its 30 + 20 calls.
            [("wrkspc_01Research", "apikey_01ResearchBot", Sonnet)] = 25_775_000,
            // Code execution 0.05 (not in the usage report)
            [("wrkspc_01Research", "", "(unattributed)")] = 50_000,
            [("wrkspc_01Research", "", "claude-opus-4-1-20250805")] = 300_000, // billed, no usage that day: a day record of its own
            // Haiku batch: 2.00 + 2.50 = 4.50 (reported); Haiku priority estimated (1,000,000 x 1.00 + 200,000 x 5.00) / 1M = 2.00
            [("wrkspc_01Agents", "apikey_01AgentRunner", Haiku)] = 6_500_000,
            // Sonnet priority over 200k, estimated at the long-context price: (1,000,000 x 6.00 + 100,000 x 22.50) / 1M = 8.25
            [("wrkspc_01Agents", "apikey_01AgentRunner", Sonnet)] = 8_250_000,
            [("wrkspc_01Agents", "", "(unattributed)")] = 80_000, // session runtime 0.08
            [("", "", Haiku)] = 150_000,                          // default workspace, Console usage: 0.10 + 0.05
        };
        Assert.Equal(expected.OrderBy(e => e.Key.ToString()), ledger.OrderBy(e => e.Key.ToString()));
        // Per workspace: the bill (Research 26.125, Agents 4.58, default 0.15) plus Agents' priority estimates 2.00 + 8.25.
        Assert.Equal([("", 150_000L), ("wrkspc_01Agents", 14_830_000L), ("wrkspc_01Research", 26_125_000L)], await h.Ledger.QueryAsync<(string, long)>(
            $"SELECT workspace, SUM(cost_micros) FROM usage_records WHERE account = '{Account}' GROUP BY 1 ORDER BY 1"));
    }

    [Fact]
    public async Task Pull_PriorityAndLongContext_AreTheirOwnCategories_PriorityEstimatedNotFree()
    {
        await using var h = await StartAsync();

        await PullDayAsync(h);

        var rows = await h.Ledger.QueryAsync<(string Model, string Category, long Cost, long Estimate, string Source)>(
            $"""
            SELECT model, category, SUM(cost_micros), SUM(estimated_cost_micros), MIN(cost_source) FROM usage_records
            WHERE account = '{Account}' AND bucket_width = '1h' AND category <> 'web_search' GROUP BY 1, 2 ORDER BY 1, 2
            """);
        Assert.Equal(
            [
                ("", 150_000L, 150_000L, "reported"),                     // Haiku, default workspace
                ("batch", 4_500_000L, 4_500_000L, "reported"),            // (4,000,000 x 1.00 + 1,000,000 x 5.00) / 1M x 0.5
                ("priority", 2_000_000L, 2_000_000L, "estimated"),        // not in the cost report: the catalog's standard price
                ("", 11_025_000L, 11_025_000L, "reported"),               // Sonnet within 200k, the two hours
                ("long_context", 14_250_000L, 14_250_000L, "reported"),   // 2,000,000 x 6.00 + 100,000 x 22.50: the report's long-context lines
                ("priority.long_context", 8_250_000L, 8_250_000L, "estimated"),
            ],
            rows.Select(r => (r.Category, r.Cost, r.Estimate, r.Source)));
        Assert.Equal([Haiku, Haiku, Haiku, Sonnet, Sonnet, Sonnet], rows.Select(r => r.Model));
    }

    [Fact]
    public async Task Pull_StandardCost_IsSpreadOnlyOverStandardHours_ByEstimate()
    {
        await using var h = await StartAsync();

        await PullDayAsync(h);

        var hours = await h.Ledger.QueryAsync<(long Start, long Cost, long Estimate, long Write)>(
            $"""
            SELECT bucket_start, cost_micros, estimated_cost_micros, cache_write_tokens FROM usage_records
            WHERE account = '{Account}' AND model = '{Sonnet}' AND category = '' ORDER BY bucket_start
            """);
        // 10:00: 1,000,000 x 3.00 + 500,000 x 0.30 + 100,000 x 3.75 (5m write) + 200,000 x 15.00 per 1M = 6.525;
        // 11:00: 3.00 + 1.50 = 4.50. The 11.025 billed for Sonnet standard within 200k is exactly their sum.
        Assert.Equal(
            [(Day.AddHours(10).ToUnixTimeSeconds(), 6_525_000L, 6_525_000L, 100_000L), (Day.AddHours(11).ToUnixTimeSeconds(), 4_500_000L, 4_500_000L, 0L)],
            hours);
    }

    [Fact]
    public async Task Pull_WebSearchCost_PaysTheCalls_OtherCostTypesAreDayRecords()
    {
        await using var h = await StartAsync();

        await PullDayAsync(h);

        var rows = await h.Ledger.QueryAsync<(string Category, string Model, string Width, long Units, string Unit, long Cost)>(
            $"""
            SELECT category, model, bucket_width, units, unit, cost_micros FROM usage_records
            WHERE account = '{Account}' AND category IN ('web_search', 'code_execution', 'session_usage') ORDER BY category, bucket_start
            """);
        Assert.Equal(
            [
                ("code_execution", "(unattributed)", "1d", 0L, "", 50_000L),
                ("session_usage", "(unattributed)", "1d", 0L, "", 80_000L),
                ("web_search", Sonnet, "1h", 30L, "calls", 300_000L), // 0.50 x 30 / 50
                ("web_search", Sonnet, "1h", 20L, "calls", 200_000L), // 0.50 x 20 / 50
            ],
            rows);
    }

    [Fact]
    public async Task Pull_EveryWorkspaceDay_SumsToItsBillExactly_PriorityComesOnTop()
    {
        await using var h = await StartAsync();

        await PullDayAsync(h);

        // The cost report's lines: Research 600 + 450 + 15 + 37.5 + 1200 + 225 + 30 + 50 + 5 = 2612.5 cents; Agents 200 + 250 + 8 = 458; default 10 + 5 = 15.
        Assert.Equal([("", 150_000L), ("wrkspc_01Agents", 4_580_000L), ("wrkspc_01Research", 26_125_000L)], await h.Ledger.QueryAsync<(string, long)>(
            $"SELECT workspace, SUM(cost_micros) FROM usage_records WHERE account = '{Account}' AND cost_source = 'reported' GROUP BY 1 ORDER BY 1"));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>(
            $"SELECT COUNT(*) FROM usage_records WHERE account = '{Account}' AND cost_source = 'estimated' AND category NOT LIKE 'priority%'"));
    }

    [Fact]
    public async Task Pull_Twice_ChangesNothing()
    {
        await using var h = await StartAsync();

        await ContractPull.AssertSecondPullChangesNothingAsync(h, Account, Day);
    }

    [Fact]
    public async Task Pull_UsageOverTwoPages_WalksTheCursor_KeysOverTwoPagesByAfterId()
    {
        await using var h = await StartAsync();

        await PullDayAsync(h);

        var usage = h.Server.Faults.Log.Where(l => l.PathAndQuery.StartsWith(UsagePath + "?", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, usage.Count);
        Assert.Contains("&page=" + Uri.EscapeDataString(NextPage), usage[1].PathAndQuery, StringComparison.Ordinal);
        Assert.Contains("group_by[]=service_tier&group_by[]=context_window", usage[0].PathAndQuery, StringComparison.Ordinal);
        // Uncached input: 1,000,000 + 2,000,000 + 1,000,000 + 1,000,000 (page 1) + 4,000,000 + 1,000,000 + 100,000 (page 2).
        Assert.Equal(10_100_000L, await h.Ledger.ScalarAsync<long>($"SELECT SUM(input_tokens) FROM usage_records WHERE account = '{Account}'"));
        Assert.Contains(h.Server.Faults.Log, l => l.PathAndQuery.StartsWith(KeysPath + "?", StringComparison.Ordinal) && l.PathAndQuery.Contains("after_id=apikey_01ResearchBot", StringComparison.Ordinal));
        Assert.Equal(
            [("apikey_01AgentRunner", "wrkspc_01Agents", "active"), ("apikey_01OldDefault", "", "disabled"), ("apikey_01ResearchBot", "wrkspc_01Research", "active")],
            await h.Ledger.QueryAsync<(string, string, string)>($"SELECT key_id, workspace, status FROM api_keys WHERE account = '{Account}' ORDER BY key_id"));
    }

    [Fact]
    public async Task Pull_429WithRetryAfter_WaitsThenGetsTheSameTotals()
    {
        await using var h = await StartAsync();
        h.Server.Faults.Add(CostPath, new FakeFault(429,
            """{"type":"error","error":{"type":"rate_limit_error","message":"Number of requests has exceeded your rate limit"},"request_id":"req_011CRate"}""", 1));

        await PullDayAsync(h);

        var calls = h.Server.Faults.Log.Where(l => l.PathAndQuery.StartsWith(CostPath + "?", StringComparison.Ordinal)).ToList();
        Assert.Equal([429, 200], calls.Select(c => c.Status));
        Assert.True(calls[1].At - calls[0].At >= TimeSpan.FromMilliseconds(900), $"retried after {(calls[1].At - calls[0].At).TotalMilliseconds} ms");
        Assert.Equal(41_105_000L, await h.Ledger.ScalarAsync<long>($"SELECT SUM(cost_micros) FROM usage_records WHERE account = '{Account}'"));
    }

    [Fact]
    public async Task Pull_RepeatedPage_FailsNamingTheEndpointAndWritesNothing()
    {
        await using var h = await StartAsync(f => f.Serve(UsagePath, Fixture.Load("anthropic/usage-messages-page1.json").Body));

        await ContractPull.AssertStuckPagingFailsAsync(h, Account, Day, "GET /v1/organizations/usage_report/messages");
    }

    [Fact]
    public async Task Pull_UnknownCostType_IsDrift_AndItsMoneyIsKept()
    {
        var report = JsonNode.Parse(Fixture.Load("anthropic/cost-report.json").Body)!;
        report["data"]![0]!["results"]!.AsArray().Add(new JsonObject
        {
            ["amount"] = "12", ["context_window"] = null, ["cost_type"] = "fast_mode_premium", ["currency"] = "USD",
            ["description"] = "Fast Mode Premium", ["model"] = null, ["service_tier"] = null, ["token_type"] = null,
            ["workspace_id"] = "wrkspc_01Research",
        });
        await using var h = await StartAsync(f => f.Serve(CostPath, report.ToJsonString()));

        await PullDayAsync(h);

        var drift = Assert.Single(await h.Ledger.QueryAsync<(string Endpoint, string Path, string Problem)>(
            $"SELECT endpoint, path, problem FROM provider_drift WHERE account = '{Account}'"));
        Assert.Equal(("GET /v1/organizations/cost_report", "data[].results[].cost_type"), (drift.Endpoint, drift.Path));
        Assert.Equal((120_000L, "(unattributed)", "1d"), (await h.Ledger.QueryAsync<(long, string, string)>(
            $"SELECT cost_micros, model, bucket_width FROM usage_records WHERE account = '{Account}' AND category = 'fast_mode_premium'")).Single());
        Assert.Equal(41_225_000L, await h.Ledger.ScalarAsync<long>($"SELECT SUM(cost_micros) FROM usage_records WHERE account = '{Account}'"));
    }

    [Fact]
    public async Task Pull_UnknownServiceTier_IsDrift_KeptAsItsOwnCategory_AndPaidFromTheStandardLines()
    {
        var page = JsonNode.Parse(Fixture.Load("anthropic/usage-messages-page1.json").Body)!;
        page["data"]![0]!["results"]![0]!["service_tier"] = "turbo";
        await using var h = await StartAsync(f =>
        {
            f.Serve(UsagePath, Fixture.Load("anthropic/usage-messages-page2.json").Body, new Dictionary<string, string> { ["page"] = NextPage });
            f.Serve(UsagePath, page.ToJsonString());
        });

        await PullDayAsync(h);

        var drift = Assert.Single(await h.Ledger.QueryAsync<(string Endpoint, string Path)>(
            $"SELECT endpoint, path FROM provider_drift WHERE account = '{Account}'"));
        Assert.Equal(("GET /v1/organizations/usage_report/messages", "data[].results[].service_tier"), drift);
        // The cost report knows standard and batch only: the 11.025 of Sonnet's standard lines pays the "turbo" hour (estimate 6.525)
        // and the standard one (4.50), never the turbo hour's estimate on top.
        Assert.Equal([("", 4_500_000L, "reported"), ("turbo", 6_525_000L, "reported")], await h.Ledger.QueryAsync<(string, long, string)>(
            $"SELECT category, cost_micros, cost_source FROM usage_records WHERE account = '{Account}' AND model = '{Sonnet}' AND category IN ('', 'turbo') ORDER BY category"));
    }

    [Fact]
    public async Task Pull_FieldOfTheWrongType_IsDrift_AndThePullGoesOn()
    {
        var page = JsonNode.Parse(Fixture.Load("anthropic/usage-messages-page2.json").Body)!;
        page["data"]![0]!["results"]![2]!["output_tokens"] = new JsonArray(10000);
        await using var h = await StartAsync(f => f.Serve(UsagePath, page.ToJsonString(), new Dictionary<string, string> { ["page"] = NextPage }));

        await PullDayAsync(h);

        var drift = Assert.Single(await h.Ledger.QueryAsync<(string Endpoint, string Path, string Problem)>(
            $"SELECT endpoint, path, problem FROM provider_drift WHERE account = '{Account}'"));
        Assert.Equal(("GET /v1/organizations/usage_report/messages", "data[].results[].output_tokens"), (drift.Endpoint, drift.Path));
        Assert.Contains("expected a number, got an array", drift.Problem, StringComparison.Ordinal);
        // The default workspace's Haiku hour is still there (output read as 0) and its bill still pays it: 0.15.
        Assert.Equal((100_000L, 0L, 150_000L), (await h.Ledger.QueryAsync<(long, long, long)>(
            $"SELECT input_tokens, output_tokens, cost_micros FROM usage_records WHERE account = '{Account}' AND workspace = '' AND model = '{Haiku}' AND bucket_width = '1h'")).Single());
    }

    /// <param name="overrides">Payloads served instead of the fixtures (the first match wins).</param>
    private static Task<PullHarness> StartAsync(Action<FakeFixtures>? overrides = null) =>
        ContractPull.StartAsync(("anthropic", "Anthropic"), ServeFixtures, overrides);

    /// <summary>Every endpoint the connector reads answers with its fixture, whatever the window (later pages first: the first match wins).</summary>
    private static void ServeFixtures(FakeFixtures f)
    {
        f.Serve(UsagePath, Fixture.Load("anthropic/usage-messages-page2.json").Body, new Dictionary<string, string> { ["page"] = NextPage });
        f.Serve(UsagePath, Fixture.Load("anthropic/usage-messages-page1.json").Body);
        f.Serve(CostPath, Fixture.Load("anthropic/cost-report.json").Body);
        f.Serve(KeysPath, Fixture.Load("anthropic/api-keys-page2.json").Body, new Dictionary<string, string> { ["after_id"] = "apikey_01ResearchBot" });
        f.Serve(KeysPath, Fixture.Load("anthropic/api-keys-page1.json").Body);
    }

    private static Task PullDayAsync(PullHarness h) => ContractPull.DayAsync(h, Account, Day);
}
