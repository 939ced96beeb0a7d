using System.Text.Json.Nodes;
using Monitor.Demo;
using Monitor.Tests.Support;

namespace Monitor.Tests.Providers;

/// <summary>
/// The OpenAI connector against payloads shaped as OpenAI's published spec shows them (tests/Fixtures/openai), served by
/// the fake server over real HTTP into a real ledger. Expected figures are worked out by hand from the fixtures, never
/// by the connector's own code. The fixture day is 2026-11-20: its cost report bills three (project, key) groups
/// with line items that name a model (<c>gpt-4o-2024-08-06, input</c>), a model without its date (<c>gpt-5, input</c>),
/// a bare model id (<c>dall-e-3</c>, <c>tts-1</c>), nothing at all (the spec's <c>input_tokens</c>, tool and storage
/// lines), and a key without usage.
/// </summary>
public sealed class OpenAIContractTests
{
    private const string Account = "openai-test";
    private const string Usage = "/openai/v1/organization/usage/";
    private const string Costs = "/openai/v1/organization/costs";
    private const string NextPage = "page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=";
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Pull_Fixtures_TotalsPerProjectKeyAndModelEqualTheBillToTheCent()
    {
        await using var h = await StartAsync();

        await PullDayAsync(h);

        var ledger = (await h.Ledger.QueryAsync<(string Workspace, string KeyId, string Model, long Cost)>(
            $"SELECT workspace, key_id, model, SUM(cost_micros) FROM usage_records WHERE account = '{Account}' GROUP BY 1, 2, 3"))
            .ToDictionary(r => (r.Workspace, r.KeyId, r.Model), r => r.Cost);
        var expected = new Dictionary<(string, string, string), long>
        {
            // "gpt-4o-2024-08-06, input" 4.75 + ", output" 1.50 (the web search calls of that model get none of it: their line names no model)
            [("proj_alpha", "key_alpha1", "gpt-4o-2024-08-06")] = 6_250_000,
            // "gpt-4o-mini-2024-07-18, input" 0.15 + ", output" 0.15
            [("proj_alpha", "key_alpha1", "gpt-4o-mini-2024-07-18")] = 300_000,
            [("proj_alpha", "key_alpha1", "text-embedding-3-small")] = 100_000, // "text-embedding-3-small" 0.10
            [("proj_alpha", "key_alpha1", "dall-e-3")] = 400_000,              // "dall-e-3" 0.40, paid to the images
            [("proj_alpha", "key_alpha1", "(none)")] = 0,                      // file search calls: their line names no model
            // "web search tool calls" 0.25 + "file search tool calls" 0.10 + "input_tokens" 0.06
            [("proj_alpha", "key_alpha1", "(unattributed)")] = 410_000,
            [("proj_alpha", "", "(none)")] = 0,                                // vector store bytes
            [("proj_alpha", "", "(unattributed)")] = 100_000,                  // "vector store storage" 0.10 (no key)
            [("proj_beta", "key_beta1", "gpt-5")] = 4_500_000,                 // "gpt-5, input" 2.50 + ", output" 2.00
            [("proj_beta", "key_beta1", "gpt-4.1-2025-04-14")] = 700_000,      // 0.50 + 0.20 (flex)
            [("proj_beta", "key_beta1", "tts-1")] = 675_000,                   // 0.675
            [("proj_beta", "key_beta1", "whisper-1")] = 360_000,               // 0.36
            [("proj_beta", "key_beta1", "omni-moderation-latest")] = 0,        // a line of 0
            [("proj_beta", "", "(none)")] = 0,                                 // code interpreter sessions
            [("proj_beta", "", "(unattributed)")] = 90_000,                    // "code interpreter sessions" 0.09 (no key)
            [("proj_beta", "key_beta2", "(unattributed)")] = 330_000,          // a gpt-4o-mini line of a key with no usage that day
        };
        Assert.Equal(expected.OrderBy(e => e.Key.ToString()), ledger.OrderBy(e => e.Key.ToString()));
        // Per project: alpha 6.25 + 0.30 + 0.10 + 0.40 + 0.41 + 0.10 = 7.56; beta 4.50 + 0.70 + 0.675 + 0.36 + 0.09 + 0.33 = 6.655.
        Assert.Equal([("proj_alpha", 7_560_000L), ("proj_beta", 6_655_000L)], await h.Ledger.QueryAsync<(string, long)>(
            $"SELECT workspace, SUM(cost_micros) FROM usage_records WHERE account = '{Account}' GROUP BY 1 ORDER BY 1"));
        // The day: every line of costs.json, 14.215.
        Assert.Equal(14_215_000L, await h.Ledger.ScalarAsync<long>($"SELECT SUM(cost_micros) FROM usage_records WHERE account = '{Account}'"));
    }

    [Fact]
    public async Task Pull_MatchedLines_AreSpreadOverTheHoursByEstimate_AndTheEstimateStaysBeside()
    {
        await using var h = await StartAsync();

        await PullDayAsync(h);

        var hours = await h.Ledger.QueryAsync<(long Start, long Cost, long Estimate, string Source)>(
            $"""
            SELECT bucket_start, cost_micros, estimated_cost_micros, cost_source FROM usage_records
            WHERE account = '{Account}' AND model = 'gpt-4o-2024-08-06' AND category = '' ORDER BY bucket_start
            """);
        // 10:00: 1,000,000 uncached x 2.50 + 200,000 cached x 1.25 + 100,000 out x 10 per 1M = 3.75; 12:00: 800,000 x 2.50 + 50,000 x 10 = 2.50.
        // The lines pay 6.25: exactly the estimates here, so each hour gets its own.
        Assert.Equal(
            [(Day.AddHours(10).ToUnixTimeSeconds(), 3_750_000L, 3_750_000L, "reported"), (Day.AddHours(12).ToUnixTimeSeconds(), 2_500_000L, 2_500_000L, "reported")],
            hours);
    }

    [Fact]
    public async Task Pull_UnmatchedLineItems_AreAnUnattributedDayRecord_NeverAddedToTheHourlyEstimates()
    {
        // The spec's form only: the whole bill of (proj_alpha, key_alpha1) in two lines that name no model.
        await using var h = await StartAsync(f => f.Serve(Costs, CostsPage(
            Line(7.40m, "input_tokens", "proj_alpha", "key_alpha1"), Line(0.06m, "output_tokens", "proj_alpha", "key_alpha1"))));

        await PullDayAsync(h);

        var rows = (await h.Ledger.QueryAsync<(string Model, string Category, string Width, long Cost, long? Estimate, string Source)>(
            $"""
            SELECT model, category, bucket_width, cost_micros, estimated_cost_micros, cost_source FROM usage_records
            WHERE account = '{Account}' AND workspace = 'proj_alpha' AND key_id = 'key_alpha1' ORDER BY model, bucket_start
            """)).ToList();
        var unattributed = Assert.Single(rows, r => r.Model == "(unattributed)");
        Assert.Equal(("", "1d", 7_460_000L, (long?)null, "reported"), (unattributed.Category, unattributed.Width, unattributed.Cost, unattributed.Estimate, unattributed.Source));
        // Every usage record of that bill counts 0 of it (reported), keeping its estimate for reconciliation: 7.46 in all, not 7.46 + estimates.
        Assert.All(rows.Where(r => r.Model != "(unattributed)"), r => Assert.Equal((0L, "reported"), (r.Cost, r.Source)));
        Assert.Equal(3_750_000L + 2_500_000L, rows.Where(r => r.Model == "gpt-4o-2024-08-06" && r.Category == "").Sum(r => r.Estimate));
        Assert.Equal(7_460_000L, rows.Sum(r => r.Cost));
        // The other bills of the day have no line now: their usage keeps its estimate (gpt-5 at the priority price 4.50).
        Assert.Equal((4_500_000L, "estimated"), (await h.Ledger.QueryAsync<(long, string)>(
            $"SELECT cost_micros, cost_source FROM usage_records WHERE account = '{Account}' AND model = 'gpt-5'")).Single());
    }

    [Fact]
    public async Task Pull_EveryBilledDay_SumsToItsReportedCostsExactly_AndNeverCountsAnEstimateBesideThem()
    {
        // Amounts with more decimals than the ledger's micro-units, shared by two hours: the day still sums exactly.
        await using var h = await StartAsync(f => f.Serve(Costs, CostsPage(
            Line(1.0000004m, "gpt-4o-2024-08-06, input", "proj_alpha", "key_alpha1"),
            Line(2.0000004m, "gpt-4o-2024-08-06, output", "proj_alpha", "key_alpha1"),
            Line(0.3333333m, "input_tokens", "proj_alpha", "key_alpha1"))));

        await PullDayAsync(h);

        // 1.0000004 + 2.0000004 + 0.3333333 = 3.3333341, to the micro-unit 3.333334.
        Assert.Equal(3_333_334L, await h.Ledger.ScalarAsync<long>(
            $"SELECT SUM(cost_micros) FROM usage_records WHERE account = '{Account}' AND workspace = 'proj_alpha' AND key_id = 'key_alpha1'"));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>(
            $"SELECT COUNT(*) FROM usage_records WHERE account = '{Account}' AND workspace = 'proj_alpha' AND key_id = 'key_alpha1' AND cost_source <> 'reported'"));
    }

    [Fact]
    public async Task Pull_UnitFamilies_KeepTheirUnitsApartFromTokensAndMoney()
    {
        await using var h = await StartAsync();

        await PullDayAsync(h);

        var units = await h.Ledger.QueryAsync<(string Category, string Model, long Units, string Unit, long Tokens, long Requests)>(
            $"""
            SELECT category, model, units, unit, input_tokens + cached_input_tokens + cache_write_tokens + output_tokens, requests
            FROM usage_records WHERE account = '{Account}' AND unit <> '' ORDER BY category
            """);
        Assert.Equal(
            [
                ("audio_speeches", "tts-1", 45_000L, "characters", 0L, 30L),
                ("audio_transcriptions", "whisper-1", 3_600L, "seconds", 0L, 12L),
                ("code_interpreter_sessions", "(none)", 3L, "sessions", 0L, 0L),
                ("file_search_calls", "(none)", 40L, "calls", 0L, 0L),
                ("images", "dall-e-3", 10L, "images", 0L, 10L),
                ("vector_stores", "(none)", 1_073_741_824L, "bytes", 0L, 0L),
                ("web_search_calls", "gpt-4o-2024-08-06", 25L, "calls", 0L, 20L),
            ],
            units);
        Assert.Equal("1d", await h.Ledger.ScalarAsync<string>($"SELECT bucket_width FROM usage_records WHERE account = '{Account}' AND category = 'vector_stores'"));
        // Moderation input is tokens (its own category); embeddings are plain tokens.
        Assert.Equal([("moderations", 20_000L), ("", 5_000_000L)], await h.Ledger.QueryAsync<(string, long)>(
            $"SELECT category, input_tokens FROM usage_records WHERE account = '{Account}' AND model IN ('omni-moderation-latest', 'text-embedding-3-small') ORDER BY model"));
    }

    [Fact]
    public async Task Pull_ServiceTiers_AreCategoriesEstimatedAtTheirOwnPrices()
    {
        await using var h = await StartAsync();

        await PullDayAsync(h);

        var tiers = await h.Ledger.QueryAsync<(string Model, string Category, long Estimate)>(
            $"SELECT model, category, estimated_cost_micros FROM usage_records WHERE account = '{Account}' AND unit = '' AND category IN ('batch', 'flex', 'priority') ORDER BY model");
        Assert.Equal(
            [
                // flex at Batch API rates: (500,000 x 2.00 + 50,000 x 8.00) / 1M x 0.5
                ("gpt-4.1-2025-04-14", "flex", 700_000L),
                // batch: (2,000,000 x 0.15 + 500,000 x 0.60) / 1M x 0.5
                ("gpt-4o-mini-2024-07-18", "batch", 300_000L),
                // priority at the catalog's priority price: (1,000,000 x 2.50 + 100,000 x 20.00) / 1M, not 1.25 + 1.00 at standard
                ("gpt-5", "priority", 4_500_000L),
            ],
            tiers);
    }

    [Fact]
    public async Task Pull_Twice_ChangesNothing()
    {
        await using var h = await StartAsync();

        await ContractPull.AssertSecondPullChangesNothingAsync(h, Account, Day);
    }

    [Fact]
    public async Task Pull_CompletionsOverTwoPages_WalksTheCursorToTheEnd()
    {
        await using var h = await StartAsync();

        await PullDayAsync(h);

        var completions = h.Server.Faults.Log.Where(l => l.PathAndQuery.StartsWith(Usage + "completions?", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, completions.Count);
        Assert.Contains("&page=" + Uri.EscapeDataString(NextPage), completions[1].PathAndQuery, StringComparison.Ordinal);
        // 1,200,000 + 2,000,000 + 1,000,000 (page 1) + 800,000 + 500,000 (page 2) input tokens, cached included.
        Assert.Equal(5_500_000L, await h.Ledger.ScalarAsync<long>(
            $"SELECT SUM(input_tokens + cached_input_tokens + cache_write_tokens) FROM usage_records WHERE account = '{Account}' AND unit = '' AND model NOT IN ('text-embedding-3-small', 'omni-moderation-latest')"));
    }

    [Fact]
    public async Task Pull_429WithRetryAfter_WaitsThenGetsTheSameTotals()
    {
        await using var h = await StartAsync();
        h.Server.Faults.Add(Costs, FakeFault.TooManyRequests(retryAfterSeconds: 1));

        await PullDayAsync(h);

        var calls = h.Server.Faults.Log.Where(l => l.PathAndQuery.StartsWith(Costs + "?", StringComparison.Ordinal)).ToList();
        Assert.Equal([429, 200], calls.Select(c => c.Status));
        Assert.True(calls[1].At - calls[0].At >= TimeSpan.FromMilliseconds(950), $"retried after {(calls[1].At - calls[0].At).TotalMilliseconds} ms");
        Assert.Equal(14_215_000L, await h.Ledger.ScalarAsync<long>($"SELECT SUM(cost_micros) FROM usage_records WHERE account = '{Account}'"));
    }

    [Fact]
    public async Task Pull_RepeatedPage_FailsNamingTheEndpointAndWritesNothing()
    {
        // A server that ignores the cursor: page 1 again, with the same next_page.
        await using var h = await StartAsync(f => f.Serve(Usage + "completions", Fixture.Load("openai/usage-completions-page1.json").Body));

        await ContractPull.AssertStuckPagingFailsAsync(h, Account, Day, "GET /v1/organization/usage/completions");
    }

    [Fact]
    public async Task Pull_UnknownServiceTier_IsDrift_AndItsUsageIsKeptAsItsOwnCategory()
    {
        var page = JsonNode.Parse(Fixture.Load("openai/usage-completions-page2.json").Body)!;
        page["data"]![0]!["results"]![1]!["service_tier"] = "turbo";
        await using var h = await StartAsync(f => f.Serve(Usage + "completions", page.ToJsonString(), new Dictionary<string, string> { ["page"] = NextPage }));

        await PullDayAsync(h);

        var drift = Assert.Single(await h.Ledger.QueryAsync<(string Endpoint, string Path, string Problem)>(
            $"SELECT endpoint, path, problem FROM provider_drift WHERE account = '{Account}'"));
        Assert.Equal(("GET /v1/organization/usage/completions", "data[].results[].service_tier"), (drift.Endpoint, drift.Path));
        Assert.Contains("turbo", drift.Problem, StringComparison.Ordinal);
        // Kept with its tokens; its model's lines (0.50 + 0.20) still pay it.
        Assert.Equal(("turbo", 500_000L, 700_000L), (await h.Ledger.QueryAsync<(string, long, long)>(
            $"SELECT category, input_tokens, cost_micros FROM usage_records WHERE account = '{Account}' AND model = 'gpt-4.1-2025-04-14'")).Single());
    }

    [Fact]
    public async Task Pull_FieldOfTheWrongType_IsDrift_AndThePullGoesOn()
    {
        var page = JsonNode.Parse(Fixture.Load("openai/usage-images.json").Body)!;
        page["data"]![0]!["results"]![0]!["images"] = new JsonObject { ["count"] = 10 };
        var costs = JsonNode.Parse(Fixture.Load("openai/costs.json").Body)!;
        costs["data"]![0]!["results"]![0]!["amount"]!["value"] = "n/a";
        await using var h = await StartAsync(f =>
        {
            f.Serve(Usage + "images", page.ToJsonString());
            f.Serve(Costs, costs.ToJsonString());
        });

        var result = (await h.Pulls.PullAllAsync(Account, Day, Day.AddDays(1), null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        Assert.Equal(
            [
                ("GET /v1/organization/costs", "data[].results[].amount.value"),
                ("GET /v1/organization/usage/images", "data[].results[].images"),
            ],
            await h.Ledger.QueryAsync<(string, string)>($"SELECT endpoint, path FROM provider_drift WHERE account = '{Account}' ORDER BY endpoint"));
        Assert.NotNull(await h.Ledger.ScalarAsync<string>($"SELECT drift FROM pull_runs WHERE account = '{Account}' AND drift IS NOT NULL LIMIT 1"));
        // The unreadable 4.75 is not invented: the day is the other lines' 14.215 - 4.75 = 9.465.
        Assert.Equal(9_465_000L, await h.Ledger.ScalarAsync<long>($"SELECT SUM(cost_micros) FROM usage_records WHERE account = '{Account}'"));
    }

    [Fact]
    public async Task Inventory_ModelsThroughTheProjectKey_KeysThroughTheAdminKeyOverPages()
    {
        await using var h = await StartAsync();

        await PullDayAsync(h);

        Assert.Contains(h.Server.Faults.Log, l => l.PathAndQuery.Contains("admin_api_keys?limit=100&after=key_admin_monitor", StringComparison.Ordinal));
        var keys = await h.Ledger.QueryAsync<(string KeyId, string Kind, string Workspace, string Status, string? Owner, string? LastFour)>(
            $"SELECT key_id, kind, workspace, status, owner, last_four FROM api_keys WHERE account = '{Account}' ORDER BY key_id");
        Assert.Equal(
            [
                ("key_admin_ci", "admin", "", "active", "Evan Jones", "Qz9a"),
                ("key_admin_monitor", "admin", "", "active", "Dana Smith", "f3Jd"),
                ("key_alpha1", "project", "proj_alpha", "active", "dana.smith@example.com", "1x2Y"),
                ("key_beta1", "service_account", "proj_beta", "active", "beta-worker", "Qe7m"),
                // owner_project_access "inactive": the owner lost access, the key still works
                ("key_beta2", "project", "proj_beta", "active", "fay.chen@example.com", "kL0p"),
            ],
            keys);
        Assert.Equal(
            [("gpt-4o-2024-05-13", (long?)new DateTimeOffset(2026, 10, 23, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds()), ("gpt-4o-2024-08-06", null), ("text-embedding-3-small", null)],
            await h.Ledger.QueryAsync<(string, long?)>($"SELECT model, shutdown_at FROM models WHERE account = '{Account}' ORDER BY model"));
    }

    [Fact]
    public async Task Inventory_ModelsRefused_KeepsTheKeysAndRecordsTheFailedListing()
    {
        await using var h = await StartAsync();
        h.Server.Faults.Add("/openai/v1/models", new FakeFault(401,
            """{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"""));

        var result = (await h.Pulls.PullAllAsync(Account, Day, Day.AddDays(1), null, CancellationToken.None)).Single();

        Assert.Equal(5, await h.Ledger.ScalarAsync<long>($"SELECT COUNT(*) FROM api_keys WHERE account = '{Account}'"));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>($"SELECT COUNT(*) FROM models WHERE account = '{Account}'"));
        Assert.Equal(1, await h.Ledger.ScalarAsync<long>($"SELECT COUNT(*) FROM pull_runs WHERE account = '{Account}' AND outcome = 'failed' AND endpoint = 'GET /v1/models'"));
        Assert.Equal(14_215_000L, await h.Ledger.ScalarAsync<long>($"SELECT SUM(cost_micros) FROM usage_records WHERE account = '{Account}'"));
        Assert.Contains("GET /v1/models", result.Error ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inventory_WithoutAModelsKey_SkipsTheModelListWithoutFailing()
    {
        await using var h = await StartAsync(settings: new Dictionary<string, string?> { ["Monitor:Providers:0:ModelsApiKeyEnv"] = "" });

        var result = (await h.Pulls.PullAllAsync(Account, Day, Day.AddDays(1), null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        Assert.DoesNotContain(h.Server.Faults.Log, l => l.PathAndQuery.StartsWith("/openai/v1/models", StringComparison.Ordinal));
        Assert.Equal(5, await h.Ledger.ScalarAsync<long>($"SELECT COUNT(*) FROM api_keys WHERE account = '{Account}'"));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>($"SELECT COUNT(*) FROM pull_runs WHERE account = '{Account}' AND outcome = 'failed'"));
    }

    [Theory]
    [InlineData("gpt-4o-2024-08-06, input", "gpt-4o-2024-08-06")]
    [InlineData("GPT-4o-2024-08-06, Input", "gpt-4o-2024-08-06")]
    [InlineData("gpt-4o, cached input", "gpt-4o-2024-08-06|gpt-4o-2024-11-20")] // the family names every snapshot of it
    [InlineData("gpt-4o-mini-2024-07-18", "gpt-4o-mini")]                      // a dated line, usage reported undated
    [InlineData("input_tokens", "")]                                          // the spec's own example
    [InlineData("GPT-4o mini, input", "")]                                    // a display name is not an id
    [InlineData("web search tool calls | gpt-4o", "")]
    [InlineData("o3, output", "")]                                            // a model with no usage that day
    [InlineData(null, "")]
    public void MatchModels_LineItemText_PaysOnlyTheModelsItNames(string? lineItem, string expected)
    {
        string[] usage = ["gpt-4o-2024-08-06", "gpt-4o-2024-11-20", "gpt-4o-mini", "dall-e-3"];

        var matched = Monitor.Providers.OpenAIConnector.MatchModels(lineItem, usage);

        Assert.Equal(expected, string.Join('|', matched));
    }

    /// <param name="overrides">Payloads served instead of the fixtures (the first match wins).</param>
    private static Task<PullHarness> StartAsync(Action<FakeFixtures>? overrides = null, IDictionary<string, string?>? settings = null) =>
        ContractPull.StartAsync(("openai", "OpenAI"), ServeFixtures, overrides, settings);

    /// <summary>Every endpoint the connector reads answers with its fixture, whatever the window (later pages first: the first match wins).</summary>
    private static void ServeFixtures(FakeFixtures f)
    {
        f.Serve(Usage + "completions", Fixture.Load("openai/usage-completions-page2.json").Body, new Dictionary<string, string> { ["page"] = NextPage });
        f.Serve(Usage + "completions", Fixture.Load("openai/usage-completions-page1.json").Body);
        foreach (var (family, file) in new[]
        {
            ("embeddings", "usage-embeddings"), ("moderations", "usage-moderations"), ("images", "usage-images"),
            ("audio_speeches", "usage-audio-speeches"), ("audio_transcriptions", "usage-audio-transcriptions"),
            ("web_search_calls", "usage-web-search-calls"), ("file_search_calls", "usage-file-search-calls"),
            ("code_interpreter_sessions", "usage-code-interpreter-sessions"), ("vector_stores", "usage-vector-stores"),
        })
        {
            f.Serve(Usage + family, Fixture.Load($"openai/{file}.json").Body);
        }

        f.Serve(Costs, Fixture.Load("openai/costs.json").Body);
        f.Serve("/openai/v1/organization/admin_api_keys", Fixture.Load("openai/admin-api-keys-page2.json").Body, new Dictionary<string, string> { ["after"] = "key_admin_monitor" });
        f.Serve("/openai/v1/organization/admin_api_keys", Fixture.Load("openai/admin-api-keys-page1.json").Body);
        f.Serve("/openai/v1/organization/projects", Fixture.Load("openai/projects.json").Body);
        f.Serve("/openai/v1/organization/projects/proj_alpha/api_keys", Fixture.Load("openai/project-api-keys-alpha.json").Body);
        f.Serve("/openai/v1/organization/projects/proj_beta/api_keys", Fixture.Load("openai/project-api-keys-beta.json").Body);
        f.Serve("/openai/v1/models", Fixture.Load("openai/models.json").Body);
    }

    private static Task PullDayAsync(PullHarness h) => ContractPull.DayAsync(h, Account, Day);

    /// <summary>A one-day costs page shaped as costs.json, with the given lines.</summary>
    private static string CostsPage(params JsonObject[] lines) => new JsonObject
    {
        ["object"] = "page",
        ["data"] = new JsonArray(new JsonObject
        {
            ["object"] = "bucket",
            ["start_time"] = Day.ToUnixTimeSeconds(),
            ["end_time"] = Day.AddDays(1).ToUnixTimeSeconds(),
            ["results"] = new JsonArray([.. lines]),
        }),
        ["has_more"] = false,
        ["next_page"] = null,
    }.ToJsonString();

    private static JsonObject Line(decimal amount, string lineItem, string project, string key) => new()
    {
        ["object"] = "organization.costs.result",
        ["amount"] = new JsonObject { ["value"] = amount, ["currency"] = "usd" },
        ["line_item"] = lineItem,
        ["project_id"] = project,
        ["api_key_id"] = key,
        ["quantity"] = null,
        ["quantity_unit"] = null,
    };
}
