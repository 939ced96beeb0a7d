using Monitor.Demo;
using Monitor.Providers;
using Monitor.Tests.Support;

namespace Monitor.Tests.Providers;

/// <summary>
/// The OpenRouter connector against the recorded payloads of tests/Fixtures/openrouter (shaped after OpenRouterTeam/docs
/// openapi.yaml), through the real pull path. Expected figures are worked out by hand from the fixtures.
/// </summary>
public sealed class OpenRouterContractTests
{
    private const string Account = "openrouter-test";
    private const string Default = "0df9e665-d932-5740-b2c7-b52af166bc11";
    private const string Research = "550e8400-e29b-41d4-a716-446655440000";
    private const string Production = "f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943";
    private const string Disabled = "9d00c9c0f0012fa14dac9c6db8a4a70e76b64a9f05fe8782462a77814df84146";
    private const string Eval = "d1206c78b9cca8fcd756ac7d664b7bfb554b16f5e83257aa3935653b9585a471";
    private const string Gpt = "openai/gpt-4.1";
    private const string Claude = "anthropic/claude-sonnet-4.5";
    private const string Day1 = "2026-11-20";
    private const string Day2 = "2026-11-21";
    private const string Rest = OpenRouterConnector.Unattributed;
    private const string Byok = OpenRouterConnector.ByokCategory;
    private static readonly (string, string)[] Accounts = [("openrouter", "OpenRouter")];

    /// <summary>
    /// The ledger the fixtures make, per workspace, key, model, category and day: (input, output, reasoning, requests, micros).
    /// </summary>
    private static readonly Dictionary<(string Workspace, string Key, string Model, string Category, string Day), Totals> Expected = new()
    {
        // activity-key-default.json: OpenAI row (5 req, 50 in, 125 out, 25 reasoning, $0.015) + Azure row (3, 1200, 300, 0, $0.0048).
        [(Default, Production, Gpt, "", Day1)] = new(1250, 425, 25, 8, 19_800),
        [(Default, Production, Claude, "", Day2)] = new(20_000, 4000, 0, 10, 120_000),
        [(Default, Disabled, Gpt, "", Day1)] = new(100, 50, 0, 1, 600),
        [(Research, Eval, Claude, "", Day2)] = new(8000, 1000, 0, 4, 1950), // the BYOK fee in credits
        [(Research, Eval, Claude, Byok, Day2)] = new(0, 0, 0, 0, 39_000), // byok_usage_inference 0.039
        [(Research, Eval, Gpt, "", Day2)] = new(300, 100, 10, 2, 1400),
        // activity.json less the keys: 2026-11-20 gpt default (8+3 req, 550+1200 in, 275+300 out, $0.0172+$0.0048)
        // less (8+1 req, 1250+100 in, 425+50 out, $0.0198+$0.0006) = (2, 400, 100, $0.0016).
        [(Default, Rest, Gpt, "", Day1)] = new(400, 100, 0, 2, 1600),
        // 2026-11-21 claude default: (11, 21000, 4200, $0.126) less (10, 20000, 4000, $0.12).
        [(Default, Rest, Claude, "", Day2)] = new(1000, 200, 0, 1, 6000),
        // 2026-11-21 claude Research: (5, 10000, 1500, $0.002475, byok $0.0495) less (4, 8000, 1000, $0.00195, byok $0.039).
        [(Research, Rest, Claude, "", Day2)] = new(2000, 500, 0, 1, 525),
        [(Research, Rest, Claude, Byok, Day2)] = new(0, 0, 0, 0, 10_500),
        // 2026-11-21 gpt Research: the key's row is the whole total; nothing unattributed.
    };

    [Fact]
    public async Task PullAllAsync_Fixtures_LedgerEqualsTheFixturesToTheMicroPerWorkspaceKeyModelCategoryAndDay()
    {
        await using var h = await StartAsync();

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        Assert.Equal(Expected.OrderBy(e => e.Key), (await LedgerAsync(h)).OrderBy(e => e.Key));
        // Day totals equal activity.json's: credits 2026-11-20 $0.0172 + $0.0048 = $0.022; 2026-11-21 $0.126 + $0.002475 + $0.0014
        // = $0.129875; BYOK upstream 2026-11-21 $0.0495, kept apart.
        Assert.Equal([("", Day1, 22_000L), ("", Day2, 129_875L), (Byok, Day2, 49_500L)], await DayTotalsAsync(h));
        Assert.Equal(["1d"], await h.Ledger.QueryAsync<string>("SELECT DISTINCT bucket_width FROM usage_records"));
    }

    [Fact]
    public async Task PullAllAsync_KeyInANonDefaultWorkspace_IsListedWithItsWorkspaceAndItsActivityPulled()
    {
        await using var h = await StartAsync();

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        var keys = (await h.Ledger.QueryAsync<(string KeyId, string Workspace, string Status, string Fingerprint)>(
            "SELECT key_id, workspace, status, fingerprint FROM api_keys WHERE account = @Account", new { Account })).OrderBy(k => k.KeyId).ToList();
        Assert.Equal(
            [(Production, Default, "active", "f01d52606dc8...1c96"), (Disabled, Default, "disabled", "9d00c9c0f001...e7a0"), (Eval, Research, "active", "d1206c78b9cc...42d0")],
            keys.OrderBy(k => k.KeyId == Production ? 0 : k.KeyId == Disabled ? 1 : 2));
        var log = h.Server.Faults.Log.Select(l => l.PathAndQuery).ToList();
        Assert.Contains($"/openrouter/v1/keys?include_disabled=true&workspace_id={Research}&offset=0", log);
        Assert.Contains($"/openrouter/v1/activity?api_key_hash={Eval}&group_by=workspace", log);
    }

    [Fact]
    public async Task PullAllAsync_KeysAboveTheUnfilteredTotal_ReportsDriftAndBooksNothingBelowZero()
    {
        // The unfiltered 2026-11-21 claude row of the default workspace says 9 requests and $0.1: less than the key's 10 and $0.12.
        await using var h = await StartAsync(Fixture.Load("openrouter/activity.json").Body
            .Replace("\"requests\":11,\"usage\":0.126", "\"requests\":9,\"usage\":0.1", StringComparison.Ordinal));

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        Assert.Contains(("GET /v1/activity", "data[]"), await DriftAsync(h));
        var ledger = await LedgerAsync(h);
        Assert.Equal(new Totals(1000, 200, 0, 0, 0), ledger[(Default, Rest, Claude, "", Day2)]); // tokens 21000 - 20000 and 4200 - 4000 only
        Assert.Equal(Expected[(Default, Production, Claude, "", Day2)], ledger[(Default, Production, Claude, "", Day2)]);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records WHERE cost_micros < 0 OR requests < 0 OR input_tokens < 0"));
    }

    [Fact]
    public async Task PullAllAsync_SecondPull_ChangesNothing()
    {
        await using var h = await StartAsync();
        var first = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();
        var before = await LedgerAsync(h);

        var second = (await h.Pulls.PullAllAsync(Account, PullHarness.Now.AddDays(-31), PullHarness.Now, null, CancellationToken.None)).Single();

        Assert.True(first.Ok && second.Ok, first.Error + second.Error);
        Assert.Equal(before.OrderBy(e => e.Key), (await LedgerAsync(h)).OrderBy(e => e.Key));
        Assert.Equal(Expected.Count, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records"));
    }

    [Fact]
    public async Task PullAllAsync_ServerIgnoresOffsetOnKeys_FailsNamingTheEndpointAfterBoundedRequests()
    {
        await using var h = await PullHarness.StartAsync(accounts: Accounts);
        Serve(h, "key.json", "/v1/key");
        Serve(h, "workspaces.json", "/v1/workspaces");
        Serve(h, "keys-default.json", "/v1/keys"); // the same page for every offset: the listing would never end

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains("GET /v1/keys: paging made no progress", result.Error, StringComparison.Ordinal);
        // Page 2 repeats page 1: caught there, once for the inventory and once for the usage.
        Assert.Equal(4, h.Server.Faults.Log.Count(l => l.PathAndQuery.StartsWith("/openrouter/v1/keys?", StringComparison.Ordinal)));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records"));
        Assert.Contains("GET /v1/keys", await h.Ledger.QueryAsync<string>("SELECT endpoint FROM pull_runs WHERE outcome = 'failed'"));
    }

    [Fact]
    public async Task PullAllAsync_TooManyRequestsWithRetryAfter_WaitsAndLedgersTheSame()
    {
        await using var h = await StartAsync();
        h.Server.Faults.Add("/openrouter/v1/activity",
            new FakeFault(429, """{"error":{"code":429,"message":"Rate limit exceeded","metadata":{"error_type":"rate_limit_exceeded"}}}""", RetryAfterSeconds: 1));

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        RetryAssertions.AssertRetriedAfter(h.Server);
        Assert.Equal(Expected.OrderBy(e => e.Key), (await LedgerAsync(h)).OrderBy(e => e.Key));
    }

    [Fact]
    public async Task PullAllAsync_UnknownCostFieldInActivity_ReportsDriftAndKeepsTheRowsMoney()
    {
        await using var h = await StartAsync();
        var body = Fixture.Load("openrouter/activity-key-default.json").Body.Replace("\"usage\":0.0048", "\"usage\":0.0048,\"web_search_usage\":0.02", StringComparison.Ordinal);
        h.Server.Faults.Add("/openrouter/v1/activity", new FakeFault(200, body)); // answers the first activity request: the first key listed

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        Assert.Contains(("GET /v1/activity", "data[].web_search_usage"), await DriftAsync(h));
        Assert.Equal(Expected.OrderBy(e => e.Key), (await LedgerAsync(h)).OrderBy(e => e.Key));
    }

    [Fact]
    public async Task PullAllAsync_UsageOfTheWrongType_ReportsDriftAndBooksTheMoneyAsUnattributed()
    {
        await using var h = await StartAsync();
        var body = Fixture.Load("openrouter/activity-key-default.json").Body.Replace("\"usage\":0.0048", "\"usage\":{\"amount\":0.0048}", StringComparison.Ordinal);
        h.Server.Faults.Add("/openrouter/v1/activity", new FakeFault(200, body)); // the first key listed: its Azure row

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        Assert.Contains(("GET /v1/activity", "data[].usage"), await DriftAsync(h));
        var ledger = await LedgerAsync(h);
        Assert.Equal(new Totals(1250, 425, 25, 8, 15_000), ledger[(Default, Production, Gpt, "", Day1)]); // tokens kept; only the OpenAI row's $0.015
        Assert.Equal(new Totals(400, 100, 0, 2, 6400), ledger[(Default, Rest, Gpt, "", Day1)]); // $0.0016 + the unreadable Azure $0.0048
        Assert.Equal([("", Day1, 22_000L), ("", Day2, 129_875L), (Byok, Day2, 49_500L)], await DayTotalsAsync(h));
    }

    [Fact]
    public async Task PullAllAsync_Inventory_StoresModelsWithExpiryAndTheCreditBalance()
    {
        await using var h = await StartAsync();

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        var models = (await h.Ledger.QueryAsync<(string Model, string Aliases, long? Shutdown)>(
            "SELECT model, aliases, shutdown_at FROM models WHERE account = @Account", new { Account })).ToDictionary(m => m.Model);
        Assert.Equal(new DateTimeOffset(2027, 1, 15, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), models[Claude].Shutdown);
        Assert.Equal("anthropic/claude-4.5-sonnet-20250929", models[Claude].Aliases);
        Assert.Null(models["openai/gpt-4"].Shutdown);
        // credits.json: 100.5 bought, 25.75 used.
        Assert.Equal(("USD", 74_750_000L, (long?)100_500_000L, "prepaid"), Assert.Single(await h.Ledger.QueryAsync<(string, long, long?, string)>(
            "SELECT currency, remaining_micros, total_micros, kind FROM credit_balances WHERE account = @Account", new { Account })));
    }

    /// <param name="activity">A body for the unfiltered activity instead of activity.json.</param>
    private static async Task<PullHarness> StartAsync(string? activity = null)
    {
        var h = await PullHarness.StartAsync(accounts: Accounts);

        Serve(h, "key.json", "/v1/key");
        Serve(h, "workspaces.json", "/v1/workspaces");
        Serve(h, "keys-default.json", "/v1/keys", ("workspace_id", Default), ("offset", "0"));
        Serve(h, "keys-research.json", "/v1/keys", ("workspace_id", Research), ("offset", "0"));
        Serve(h, "keys-empty.json", "/v1/keys");
        Serve(h, "activity-key-default.json", "/v1/activity", ("api_key_hash", Production), ("group_by", "workspace"));
        Serve(h, "activity-key-disabled.json", "/v1/activity", ("api_key_hash", Disabled), ("group_by", "workspace"));
        Serve(h, "activity-key-research.json", "/v1/activity", ("api_key_hash", Eval), ("group_by", "workspace"));
        if (activity is null)
            Serve(h, "activity.json", "/v1/activity", ("group_by", "workspace"));
        else
            h.Server.Fixtures.Serve("/openrouter/v1/activity", activity, new Dictionary<string, string> { ["group_by"] = "workspace" });
        Serve(h, "credits.json", "/v1/credits");
        Serve(h, "models.json", "/v1/models", ("output_modalities", "all"));
        return h;
    }

    private static void Serve(PullHarness h, string fixture, string path, params (string Name, string Value)[] query) =>
        h.Server.Fixtures.Serve("/openrouter" + path, Fixture.Load("openrouter/" + fixture).Body, query.ToDictionary(q => q.Name, q => q.Value));

    private static async Task<Dictionary<(string Workspace, string Key, string Model, string Category, string Day), Totals>> LedgerAsync(PullHarness h) =>
        (await h.Ledger.QueryAsync<(string Workspace, string Key, string Model, string Category, long Day, long Input, long Output, long Reasoning, long Requests, long Cost)>(
            """
            SELECT workspace, key_id, model, category, bucket_start, SUM(input_tokens), SUM(output_tokens), SUM(reasoning_tokens), SUM(requests), SUM(cost_micros)
            FROM usage_records WHERE account = @Account GROUP BY 1, 2, 3, 4, 5
            """, new { Account }))
        .ToDictionary(
            r => (r.Workspace, r.Key, r.Model, r.Category, DateTimeOffset.FromUnixTimeSeconds(r.Day).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
            r => new Totals(r.Input, r.Output, r.Reasoning, r.Requests, r.Cost));

    private static async Task<List<(string Category, string Day, long Cost)>> DayTotalsAsync(PullHarness h) =>
        [.. (await h.Ledger.QueryAsync<(string Category, long Day, long Cost)>(
            "SELECT category, bucket_start, SUM(cost_micros) FROM usage_records WHERE account = @Account GROUP BY 1, 2 ORDER BY 1, 2", new { Account }))
            .Select(r => (r.Category, DateTimeOffset.FromUnixTimeSeconds(r.Day).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), r.Cost))];

    private static async Task<List<(string Endpoint, string Path)>> DriftAsync(PullHarness h) =>
        [.. await h.Ledger.QueryAsync<(string, string)>("SELECT endpoint, path FROM provider_drift WHERE account = @Account", new { Account })];

    private sealed record Totals(long Input, long Output, long Reasoning, long Requests, long Cost);
}
