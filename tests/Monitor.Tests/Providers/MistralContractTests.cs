using System.Net;
using System.Text.Json.Nodes;
using Monitor.Core.Pricing;
using Monitor.Demo;
using Monitor.Hosting;
using Monitor.Providers;
using Monitor.Tests.Support;

namespace Monitor.Tests.Providers;

/// <summary>
/// The Mistral connector against recorded payloads (tests/Fixtures/mistral), served by the fake over real HTTP, through
/// the real pull path. Expected figures are worked out by hand from the fixtures, never by connector code.
/// </summary>
public sealed class MistralContractTests
{
    private const string Account = "mistral-test";
    private const string ProductTeam = "5f3c9a1e-2b7d-4c8e-9a6f-1d2e3f4a5b6c";
    private const string DataScience = "8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    private const string LegacyBot = "c0ffee00-1234-4abc-8def-0123456789ab"; // archived
    private const string Outside = MistralConnector.OutsideWorkspaces;
    private const string Training = "ft:mistral-small-2603:8f2a1c3e:20261119:b7e9d0f1";
    private const string Usage = "/mistral/v1/admin/usage";
    private static readonly (string, string)[] MistralOnly = [("mistral", "Mistral")];

    /// <summary>
    /// Every record of November 2026, by hand from the fixtures (prices in EUR per unit, from prices[]); money is
    /// value_paid x price, tokens are value.
    /// </summary>
    private static readonly (string Workspace, string Model, string Category, string Day, long Input, long Cached, long Output, long Units, string Unit, long Micros)[] November =
    [
        // 1,200,000 x 0.0000001 + 300,000 x 1.0E-8 + 400,000 x 0.0000003 = 0.12 + 0.003 + 0.12 = 0.243
        (ProductTeam, "mistral-small-2603", "", "2026-11-20", 1_200_000, 300_000, 400_000, 0, "", 243_000),
        // 500,000 x 0.0000001 + 100,000 x 0.0000003 = 0.05 + 0.03
        (ProductTeam, "mistral-small-2603", "", "2026-11-21", 500_000, 0, 100_000, 0, "", 80_000),
        // free units: 2,000,000 used, 1,500,000 paid: 1,500,000 x 0.0000005 + 300,000 x 0.0000015 = 0.75 + 0.45
        (ProductTeam, "mistral-large-2512", "", "2026-11-20", 2_000_000, 0, 300_000, 0, "", 1_200_000),
        // eu / priority price: 10,000 x 0.0000023588 = 0.023588 (the global standard price would give 0.01275)
        (ProductTeam, "mistral-medium-3-5", "priority", "2026-11-21", 10_000, 0, 0, 0, "", 23_588),
        // the per-second price of the same metric and group: 240 x 0.0001416667 = 0.034000008
        (ProductTeam, "mistral-medium-3-5", "audio", "2026-11-21", 0, 0, 0, 240, "seconds", 34_000),
        // 1,500 pages x 0.001 = 1.50
        (ProductTeam, "mistral-ocr-2505", "ocr", "2026-11-20", 0, 0, 0, 1_500, "pages", 1_500_000),
        // 4,375,190 x 0.000001275 + 21,628,160 x 1.275E-7 + 458,774 x 0.000006375 = 5.57836725 + 2.7575904 + 2.92468425 = 11.2606419
        (ProductTeam, "mistral-medium-3-5", "vibe_code", "2026-11-16", 4_375_190, 21_628_160, 458_774, 0, "", 11_260_642),
        // the untyped (legacy) price of mistral-small-2603 / input, not its api_tokens price: 2,000,000 x 0.000004 = 8.00
        (ProductTeam, Training, "fine_tuning.training", "2026-11-19", 0, 0, 0, 2_000_000, "tokens", 8_000_000),
        // 800,000 x 0.0000005 + 50,000 x 0.0000015 = 0.40 + 0.075
        (DataScience, "mistral-large-2512", "", "2026-11-21", 800_000, 0, 50_000, 0, "", 475_000),
        // 100,000 x 0.0000001 + 20,000 x 0.0000003 = 0.01 + 0.006
        (LegacyBot, "mistral-small-2603", "", "2026-11-03", 100_000, 0, 20_000, 0, "", 16_000),
        // the organisation counts 550,000 input on the 21st where Product Team counts 500,000: 50,000 x 0.0000001
        (Outside, "mistral-small-2603", "", "2026-11-21", 50_000, 0, 0, 0, "", 5_000),
    ];

    [Fact]
    public async Task Pull_FixtureMonth_EveryWorkspaceModelCategoryAndDayToTheMicro()
    {
        await using var h = await StartAsync();

        var result = await PullAsync(h);

        Assert.True(result.Ok, result.Error);
        var ledger = await RecordsAsync(h);
        Assert.Equal(November.Select(Text).Order(StringComparer.Ordinal), ledger.Select(Text).Order(StringComparer.Ordinal));
        // Per workspace, to the cent: 0.243 + 0.08 + 1.20 + 0.023588 + 0.034 + 1.50 + 11.260642 + 8.00 = 22.341230 for Product Team.
        var perWorkspace = ledger.GroupBy(r => r.Workspace).ToDictionary(g => g.Key, g => decimal.Round(g.Sum(r => r.Micros) / 1_000_000m, 2, MidpointRounding.AwayFromZero));
        Assert.Equal(new Dictionary<string, decimal> { [ProductTeam] = 22.34m, [DataScience] = 0.48m, [LegacyBot] = 0.02m, [Outside] = 0.01m }, perWorkspace);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records WHERE cost_source <> 'reported' OR bucket_width <> '1d' OR currency <> 'EUR'"));
        Assert.Empty(await h.Ledger.QueryAsync<string>("SELECT path FROM provider_drift"));
    }

    [Fact]
    public async Task Pull_FreeUnits_TokensCountEveryUnit_MoneyOnlyTheBillable()
    {
        await using var h = await StartAsync();

        await PullAsync(h);

        var (input, cost) = (await h.Ledger.QueryAsync<(long, long)>(
            "SELECT input_tokens, cost_micros - 450000 FROM usage_records WHERE model = 'mistral-large-2512' AND workspace = @w", new { w = ProductTeam })).Single();
        Assert.Equal(2_000_000, input);
        Assert.Equal(750_000, cost); // 1,500,000 paid x 0.0000005: the 500,000 free tokens cost nothing
    }

    [Fact]
    public async Task Pull_AliasModelKeys_LedgerTheDatedModelAndRememberTheAlias()
    {
        await using var h = await StartAsync(models: false);

        await PullAsync(h);

        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records WHERE model LIKE '%::%'"));
        var aliases = await h.Ledger.QueryAsync<(string Alias, string Model, long Since)>("SELECT alias, model, first_seen_at FROM model_alias_history ORDER BY alias");
        Assert.Equal(
            [("mistral-small-latest", "mistral-small-2603", Day("2026-11-20")), ("mistral-vibe-cli-latest", "mistral-medium-3-5", Day("2026-11-16"))],
            aliases);
    }

    [Fact]
    public async Task Pull_ArchivedWorkspace_IsListedAndPulled()
    {
        await using var h = await StartAsync();

        await PullAsync(h);

        Assert.Contains(h.Server.Faults.Log, l => l.PathAndQuery.Contains("/workspaces?", StringComparison.Ordinal) && l.PathAndQuery.Contains("is_archived=true", StringComparison.Ordinal));
        Assert.Contains(h.Server.Faults.Log, l => l.PathAndQuery.Contains($"workspace_id={LegacyBot}", StringComparison.Ordinal));
        Assert.Equal(16_000, await h.Ledger.ScalarAsync<long>("SELECT SUM(cost_micros) FROM usage_records WHERE workspace = @w", new { w = LegacyBot }));
    }

    [Fact]
    public async Task Pull_WorkspacesAndOrganisationTotal_OneCallEachPerMonth_RemainderOutsideAnyWorkspace()
    {
        await using var h = await StartAsync();

        await PullAsync(h);

        var usageCalls = h.Server.Faults.Log.Where(l => l.PathAndQuery.StartsWith(Usage, StringComparison.Ordinal)).Select(l => l.PathAndQuery).ToList();
        Assert.Equal(4, usageCalls.Count); // three workspaces and the organisation, for November only
        Assert.Single(usageCalls, c => !c.Contains("workspace_id", StringComparison.Ordinal));
        Assert.Equal((50_000L, 5_000L), (await h.Ledger.QueryAsync<(long, long)>(
            "SELECT input_tokens, cost_micros FROM usage_records WHERE workspace = @w", new { w = Outside })).Single());
    }

    [Fact]
    public async Task Pull_WorkspacesSumToMoreThanTheOrganisation_DriftAndNothingSubtracted()
    {
        // The organisation total is only Product Team's: Data Science and Legacy Bot count more than it.
        await using var h = await StartAsync(organisation: Fixture.Load("mistral/usage.json").Body);

        var result = await PullAsync(h);

        Assert.True(result.Ok, result.Error);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records WHERE workspace = @w", new { w = Outside }));
        Assert.Equal(475_000 + 16_000, await h.Ledger.ScalarAsync<long>(
            "SELECT SUM(cost_micros) FROM usage_records WHERE workspace IN (@d, @l)", new { d = DataScience, l = LegacyBot }));
        var drift = await h.Ledger.QueryAsync<(string Path, string Problem)>("SELECT path, problem FROM provider_drift");
        Assert.Contains(drift, d => d.Path == "completion.models.mistral-large-2512.input[] (workspaces vs organisation)"
            && d.Problem.Contains("800000 units (800000 paid) more than the organisation total on 2026-11-21", StringComparison.Ordinal));
        Assert.Contains(drift, d => d.Path == "completion.models.mistral-small-2603.output[] (workspaces vs organisation)");
    }

    [Fact]
    public async Task Pull_AdminKey_InXApiKeyByDefault_AsBearerWithTheSetting()
    {
        await using var byDefault = await StartAsync();
        await using var bearer = await StartAsync(settings: new Dictionary<string, string?> { ["Monitor:Providers:0:AdminAuth"] = "Bearer" });

        var accepted = await PullAsync(byDefault);
        var refused = await PullAsync(bearer); // the fake, like Mistral's admin docs, takes the admin key in x-api-key only

        Assert.True(accepted.Ok, accepted.Error);
        Assert.False(refused.Ok);
        Assert.Contains("GET /v1/admin/workspaces: HTTP 401", refused.Error, StringComparison.Ordinal);
        Assert.Contains("GET /v1/admin/api-keys", await bearer.Ledger.QueryAsync<string>("SELECT endpoint FROM pull_runs WHERE outcome = 'failed'"));
        Assert.DoesNotContain(bearer.Server.Faults.Log, l => l.PathAndQuery.StartsWith("/mistral/v1/admin/", StringComparison.Ordinal) && l.Status == 200);
    }

    [Theory]
    [InlineData("", "x-api-key")]
    [InlineData("XApiKey", "x-api-key")]
    [InlineData("Bearer", "Authorization")]
    public async Task ConnectorFactory_AdminAuth_SendsTheAdminKeyThere_AndTheModelsKeyAsBearer(string setting, string header)
    {
        var (admin, models) = ("MONITOR_TEST_ADMIN_" + Guid.NewGuid().ToString("N"), "MONITOR_TEST_MODELS_" + Guid.NewGuid().ToString("N"));
        Environment.SetEnvironmentVariable(admin, "admin-secret");
        Environment.SetEnvironmentVariable(models, "workspace-secret");
        try
        {
            using var handler = new RecordingHandler();
            var account = new ProviderOptions
            {
                Name = Account, Kind = "Mistral", BaseUrl = "https://api.mistral.ai/v1", ApiKeyEnv = admin, ModelsApiKeyEnv = models, AdminAuth = setting,
            };
            var connector = new ConnectorFactory(new RecordingClients(handler), new PriceCatalog([]), TimeProvider.System).Create(account);

            var inventory = await connector.PullInventoryAsync(CancellationToken.None);

            Assert.Empty(inventory.Failures);
            var adminCalls = handler.Requests.Where(r => r.Path.StartsWith("/v1/admin/", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, adminCalls.Count); // api-keys, spend-limit
            Assert.All(adminCalls, r => Assert.Equal(header == "x-api-key" ? ("admin-secret", null) : (null, "Bearer admin-secret"), (r.XApiKey, r.Authorization)));
            var modelsCall = Assert.Single(handler.Requests, r => r.Path == "/v1/models");
            Assert.Equal((null, "Bearer workspace-secret"), (modelsCall.XApiKey, modelsCall.Authorization));
        }
        finally
        {
            Environment.SetEnvironmentVariable(admin, null);
            Environment.SetEnvironmentVariable(models, null);
        }
    }

    [Fact]
    public async Task Pull_ModelsCallRefused_KeysAndSpendLimitKept_AndUsagePulled()
    {
        var wrong = "MONITOR_TEST_WRONG_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(wrong, "not-a-workspace-key-5678");
        try
        {
            await using var h = await StartAsync(settings: new Dictionary<string, string?> { ["Monitor:Providers:0:ModelsApiKeyEnv"] = wrong });

            var result = await PullAsync(h);

            Assert.Contains("GET /v1/models: HTTP 401", result.Error, StringComparison.Ordinal);
            Assert.Equal(3, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM api_keys WHERE account = @a", new { a = Account }));
            Assert.Equal(22_840_000, await h.Ledger.ScalarAsync<long>("SELECT usage_micros FROM spend_limits WHERE account = @a", new { a = Account }));
            Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM models"));
            Assert.Equal(["GET /v1/models"], await h.Ledger.QueryAsync<string>("SELECT endpoint FROM pull_runs WHERE outcome = 'failed'"));
            Assert.Equal(22_837_230, await h.Ledger.ScalarAsync<long>("SELECT SUM(cost_micros) FROM usage_records"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(wrong, null);
        }
    }

    [Fact]
    public async Task Pull_WithoutModelsApiKeyEnv_SkipsTheModelListQuietly()
    {
        await using var h = await StartAsync(models: false);

        var result = await PullAsync(h);

        Assert.True(result.Ok, result.Error);
        Assert.DoesNotContain(h.Server.Faults.Log, l => l.PathAndQuery.StartsWith("/mistral/v1/models", StringComparison.Ordinal));
        Assert.Equal(3, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM api_keys"));
    }

    [Fact]
    public async Task Pull_ApiKeyDates_AnExpiryDayIsWorkedThrough()
    {
        await using var h = await StartAsync();

        await PullAsync(h);

        var keys = (await h.Ledger.QueryAsync<(string Name, string Status, long? Expires, long? LastUsed, string Workspace, string LastFour)>(
            "SELECT name, status, expires_at, last_used_at, workspace, last_four FROM api_keys ORDER BY name")).ToList();
        // Now is 2026-11-22 15:30: a key expiring on the 22nd works until the 23rd 00:00; one expiring on the 21st has expired.
        Assert.Equal(("ds-notebooks", "active", Day("2026-11-23"), Day("2026-11-22"), DataScience, "Zk8q"), keys[0]);
        Assert.Equal(("legacy-bot", "expired", Day("2026-11-22"), Day("2026-11-03"), LegacyBot, "aB2d"), keys[1]);
        Assert.Equal(("product-backend", "active", (long?)null, Day("2026-11-21"), ProductTeam, "Ug6Y"), keys[2]);
    }

    [Fact]
    public async Task Pull_Twice_ChangesNothing()
    {
        await using var h = await StartAsync();
        await PullAsync(h);
        var records = await RecordsAsync(h);
        var aliases = await h.Ledger.QueryAsync<(string, string, long)>("SELECT alias, model, first_seen_at FROM model_alias_history ORDER BY 1, 3");

        h.Ledger.Clock.Advance(TimeSpan.FromMinutes(15));
        var again = await PullAsync(h);

        Assert.True(again.Ok, again.Error);
        Assert.Equal(records, await RecordsAsync(h));
        Assert.Equal(aliases, await h.Ledger.QueryAsync<(string, string, long)>("SELECT alias, model, first_seen_at FROM model_alias_history ORDER BY 1, 3"));
    }

    [Fact]
    public async Task Pull_429WithRetryAfter_WaitsAndSucceeds()
    {
        await using var h = await StartAsync();
        h.Server.Faults.Add(Usage, new FakeFault(429, """{"object":"error","message":"Requests rate limit exceeded","type":"rate_limited","code":"1300"}""", RetryAfterSeconds: 1));

        var result = await PullAsync(h);

        Assert.True(result.Ok, result.Error);
        var usage = h.Server.Faults.Log.Where(l => l.PathAndQuery.StartsWith(Usage, StringComparison.Ordinal)).ToList();
        Assert.Equal(429, usage[0].Status);
        Assert.True(usage[1].At - usage[0].At >= TimeSpan.FromSeconds(0.9), "the retry waited for Retry-After");
        Assert.Equal(22_837_230, await h.Ledger.ScalarAsync<long>("SELECT SUM(cost_micros) FROM usage_records"));
    }

    [Fact]
    public async Task Pull_UnknownContainerGroupAndEventType_DriftRowsAndTheMoneyKept()
    {
        var body = JsonNode.Parse(Fixture.Load("mistral/usage-data-science.json").Body)!;
        body["images"] = JsonNode.Parse("""
            {"models":{"mistral-image-2611":{"output":[{"usage_type":"usage","event_type":"api_images","billing_metric":"mistral-image-2611",
              "billing_display_name":"mistral-image-2611","billing_group":"output","timestamp":"2026-11-21","value":40,"value_paid":40,
              "api_zone":"global","service_tier":"standard"}]}}}
            """);
        body["completion"]!["models"]!["mistral-large-2512"]!["reasoning"] = JsonNode.Parse("""
            [{"usage_type":"usage","event_type":"api_tokens","billing_metric":"mistral-large-2512","billing_display_name":"mistral-large-2512",
              "billing_group":"reasoning","timestamp":"2026-11-21","value":1000,"value_paid":1000,"api_zone":"global","service_tier":"standard"}]
            """);
        body["prices"]!.AsArray().Add(JsonNode.Parse("""{"event_type":"api_images","billing_metric":"mistral-image-2611","billing_group":"output","api_zone":"global","service_tier":"standard","price":"0.04"}"""));
        body["prices"]!.AsArray().Add(JsonNode.Parse("""{"event_type":"api_tokens","billing_metric":"mistral-large-2512","billing_group":"reasoning","api_zone":"global","service_tier":"standard","price":"0.000002"}"""));
        await using var h = await StartAsync(dataScience: body.ToJsonString());

        var result = await PullAsync(h);

        Assert.True(result.Ok, result.Error);
        var extra = await h.Ledger.QueryAsync<(string Model, string Category, long Units, string Unit, long Micros)>(
            "SELECT model, category, units, unit, cost_micros FROM usage_records WHERE workspace = @w AND category <> '' ORDER BY category", new { w = DataScience });
        // 40 x 0.04 = 1.60 (the images are units, never tokens); 1,000 x 0.000002 = 0.002
        Assert.Equal([("mistral-image-2611", "images.output", 40L, "units", 1_600_000L), ("mistral-large-2512", "reasoning", 1_000L, "tokens", 2_000L)], extra);
        var drift = await h.Ledger.QueryAsync<string>("SELECT path FROM provider_drift ORDER BY path");
        Assert.Contains("images", drift);
        Assert.Contains("images.models.mistral-image-2611.output[].event_type", drift);
        Assert.Contains("completion.models.mistral-large-2512.reasoning[]", drift);
        Assert.Contains("GET /v1/admin/usage images", await h.Ledger.ScalarAsync<string>("SELECT drift FROM pull_runs WHERE drift IS NOT NULL"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pull_WrongFieldType_DriftRow_TheRowStillCountedFromTheOtherField()
    {
        var body = Fixture.Load("mistral/usage-data-science.json").Body.Replace("\"value_paid\": 800000", "\"value_paid\": {\"amount\": 800000}", StringComparison.Ordinal);
        await using var h = await StartAsync(dataScience: body);

        var result = await PullAsync(h);

        Assert.True(result.Ok, result.Error);
        var (path, problem) = (await h.Ledger.QueryAsync<(string, string)>("SELECT path, problem FROM provider_drift WHERE path LIKE '%value_paid'")).Single();
        Assert.Equal("completion.models.mistral-large-2512.input[].value_paid", path);
        Assert.Contains("expected a number, got an object", problem, StringComparison.Ordinal);
        // Taken as all billable (never free): 800,000 x 0.0000005 + 50,000 x 0.0000015 = 0.475
        Assert.Equal(475_000, await h.Ledger.ScalarAsync<long>("SELECT cost_micros FROM usage_records WHERE workspace = @w", new { w = DataScience }));
    }

    [Fact]
    public async Task Pull_NoPriceForARow_EstimatedFromTheCatalogAndMarked_NeverFree()
    {
        // Data Science's prices without mistral-large-2512 / output: the catalog prices it (EUR 1.50 per 1M output tokens in the shipped catalog).
        var body = JsonNode.Parse(Fixture.Load("mistral/usage-data-science.json").Body)!;
        var prices = body["prices"]!.AsArray();
        prices.Remove(prices.Single(p => (string?)p!["billing_metric"] == "mistral-large-2512" && (string?)p["billing_group"] == "output"));
        await using var h = await StartAsync(dataScience: body.ToJsonString());

        var result = await PullAsync(h);

        Assert.True(result.Ok, result.Error);
        var (source, cost, estimate) = (await h.Ledger.QueryAsync<(string, long, long)>(
            "SELECT cost_source, cost_micros, estimated_cost_micros FROM usage_records WHERE workspace = @w", new { w = DataScience })).Single();
        Assert.Equal("estimated", source);
        Assert.True(cost > 400_000, $"{cost}: the priced input (0.40) plus a catalog estimate of the output");
        Assert.True(estimate > 0);
        Assert.Contains(await h.Ledger.QueryAsync<string>("SELECT path FROM provider_drift"), p => p == "completion.models.mistral-large-2512.output[]");
    }

    [Theory]
    [InlineData("/v1")]
    [InlineData("/v1/")]
    [InlineData("/v1/admin")]
    public async Task Pull_BaseUrlAsPasted_WithItsVersionSegment_Works(string suffix)
    {
        await using var h = await StartAsync();
        var account = new ProviderOptions
        {
            Name = Account, Kind = "Mistral", BaseUrl = h.Server.BaseUrlOf("mistral") + suffix, ApiKeyEnv = h.KeyVariable, ModelsApiKeyEnv = h.KeyVariable,
        };
        var connector = h.Get<ConnectorFactory>().Create(account);
        var november = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

        var inventory = await connector.PullInventoryAsync(CancellationToken.None);
        var usage = await connector.PullUsageAsync(november, november.AddMonths(1), CancellationToken.None);

        Assert.Empty(inventory.Failures);
        Assert.Equal((3, 5), (inventory.Keys!.Count, inventory.Models!.Count));
        Assert.Equal(22_837_230, usage.Records.Sum(r => MoneyUnits.ToMicros(r.Cost!.Value)));
    }

    private static async Task<PullHarness> StartAsync(
        IDictionary<string, string?>? settings = null, bool models = true, string? organisation = null, string? dataScience = null)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        if (!models)
            all["Monitor:Providers:0:ModelsApiKeyEnv"] = "";
        var h = await PullHarness.StartAsync(days: 7, accounts: MistralOnly, settings: all);
        var f = h.Server.Fixtures;
        const string admin = "/mistral/v1/admin";
        f.Serve($"{admin}/workspaces", Fixture.Load("mistral/workspaces-archived.json").Body, Query(("is_archived", "true")));
        f.Serve($"{admin}/workspaces", Fixture.Load("mistral/workspaces-page-1.json").Body, Query(("page", "1")));
        f.Serve($"{admin}/workspaces", Fixture.Load("mistral/workspaces-page-2.json").Body, Query(("page", "2")));
        f.Serve(Usage, Fixture.Load("mistral/usage.json").Body, Query(("month", "11"), ("year", "2026"), ("workspace_id", ProductTeam)));
        f.Serve(Usage, dataScience ?? Fixture.Load("mistral/usage-data-science.json").Body, Query(("month", "11"), ("year", "2026"), ("workspace_id", DataScience)));
        f.Serve(Usage, Fixture.Load("mistral/usage-archived.json").Body, Query(("month", "11"), ("year", "2026"), ("workspace_id", LegacyBot)));
        f.Serve(Usage, organisation ?? Fixture.Load("mistral/usage-organisation.json").Body, Query(("month", "11"), ("year", "2026"))); // last: no workspace_id
        f.Serve($"{admin}/api-keys", Fixture.Load("mistral/api-keys.json").Body);
        f.Serve($"{admin}/spend-limit", Fixture.Load("mistral/spend-limit.json").Body);
        f.Serve("/mistral/v1/models", Fixture.Load("mistral/models.json").Body);
        return h;
    }

    private static Dictionary<string, string> Query(params (string Key, string Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);

    private static async Task<Monitor.Jobs.AccountPullResult> PullAsync(PullHarness h) =>
        (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

    private static async Task<List<(string Workspace, string Model, string Category, string Day, long Input, long Cached, long Output, long Units, string Unit, long Micros)>> RecordsAsync(PullHarness h) =>
        [.. (await h.Ledger.QueryAsync<(string, string, string, long, long, long, long, long, string, long)>(
            """
            SELECT workspace, model, category, bucket_start, input_tokens, cached_input_tokens, output_tokens, units, unit, cost_micros
            FROM usage_records ORDER BY workspace, model, category, bucket_start
            """))
            .Select(r => (r.Item1, r.Item2, r.Item3, DateTimeOffset.FromUnixTimeSeconds(r.Item4).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                r.Item5, r.Item6, r.Item7, r.Item8, r.Item9, r.Item10))];

    private static string Text((string Workspace, string Model, string Category, string Day, long Input, long Cached, long Output, long Units, string Unit, long Micros) r) =>
        $"{r.Workspace} {r.Model} [{r.Category}] {r.Day}: in {r.Input} cached {r.Cached} out {r.Output} units {r.Units} {r.Unit} = {r.Micros}";

    private static long Day(string day) => DateTimeOffset.Parse(day + "T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds();

    /// <summary>Answers each Mistral endpoint with its fixture and records what was sent.</summary>
    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<(string Path, string? XApiKey, string? Authorization)> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            Requests.Add((path, request.Headers.TryGetValues("x-api-key", out var k) ? k.Single() : null, request.Headers.Authorization?.ToString()));
            var name = path switch
            {
                "/v1/admin/api-keys" => "mistral/api-keys.json",
                "/v1/admin/spend-limit" => "mistral/spend-limit.json",
                _ => "mistral/models.json",
            };
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Fixture.Load(name).Body) });
        }
    }

    private sealed class RecordingClients(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }
}
