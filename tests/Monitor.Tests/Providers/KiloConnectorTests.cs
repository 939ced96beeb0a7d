using Monitor.Core.Pricing;
using Monitor.Demo;
using Monitor.Tests.Support;

namespace Monitor.Tests.Providers;

/// <summary>The Kilo Code connector over real HTTP against the fake Kilo: the ledger must equal the scenario's truth.</summary>
public sealed class KiloConnectorTests
{
    private const string Account = "kilo-test";
    private static readonly (string, string)[] Accounts = [("kilo", "Kilo")];

    [Fact]
    public async Task PullAllAsync_Usage_LedgerEqualsScenarioPerModelAndDay()
    {
        await using var h = await PullHarness.StartAsync(accounts: Accounts);

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        AssertSame(Truth(h.Scenario, DateTimeOffset.MinValue, DateTimeOffset.MaxValue), await LedgerAsync(h));
        Assert.Single(h.Server.Faults.Log, l => l.PathAndQuery == "/kilo/api/profile/usage?groupByModel=true&viewType=personal");
        var kinds = await h.Ledger.QueryAsync<(string Width, string Source, string Currency, string Workspace, string KeyId, long Reasoning)>(
            "SELECT DISTINCT bucket_width, cost_source, currency, workspace, key_id, reasoning_tokens FROM usage_records WHERE account = @Account", new { Account });
        Assert.Equal(("1d", "reported", "USD", "", "", 0L), Assert.Single(kinds));
    }

    [Fact]
    public async Task PullAllAsync_AllDaysInOneResponse_KeepsOnlyTheWindowAndAsksOncePerPull()
    {
        await using var h = await PullHarness.StartAsync(accounts: Accounts);
        var today = new DateTimeOffset(h.Scenario.End.UtcDateTime.Date, TimeSpan.Zero);
        var from = today.AddDays(-12);
        var to = today.AddDays(-2);

        var result = (await h.Pulls.PullAllAsync(Account, from, to, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        AssertSame(Truth(h.Scenario, from, to), await LedgerAsync(h));
        Assert.Equal(2, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM pull_runs WHERE account = @Account AND outcome = 'ok' AND endpoint <> 'inventory'", new { Account }));
        Assert.Single(h.Server.Faults.Log, l => l.PathAndQuery.StartsWith("/kilo/api/profile/usage", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PullAllAsync_TooManyRequestsWithRetryAfter_RetriesAfterTheDelayAndSucceeds()
    {
        await using var h = await PullHarness.StartAsync(accounts: Accounts);
        h.Server.Faults.Add("/kilo/api/profile/usage", new FakeFault(429, """{"success":false,"error":"Too many requests"}""", RetryAfterSeconds: 1));

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        RetryAssertions.AssertRetriedAfter(h.Server);
        AssertSame(Truth(h.Scenario, DateTimeOffset.MinValue, DateTimeOffset.MaxValue), await LedgerAsync(h));
    }

    [Fact]
    public async Task PullAllAsync_ServerErrorThenSuccess_SucceedsWithoutDoubling()
    {
        await using var h = await PullHarness.StartAsync(accounts: Accounts);
        h.Server.Faults.Add("/kilo/api/profile/usage", FakeFault.ServerError());

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        Assert.Contains(h.Server.Faults.Log, l => l.Status == 500);
        AssertSame(Truth(h.Scenario, DateTimeOffset.MinValue, DateTimeOffset.MaxValue), await LedgerAsync(h));
    }

    [Fact]
    public async Task PullAllAsync_WrongKey_FailsNamingProviderEndpointAnd401WritesNothingAndHidesTheKey()
    {
        await using var h = await PullHarness.StartAsync(keyOverride: "kilo-jwt-0123456789abcdef0123456789abcdef", accounts: Accounts);

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains("kilo-test (Kilo) GET /api/profile/balance: HTTP 401", result.Error, StringComparison.Ordinal);
        Assert.Contains("Invalid API token", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM credit_balances"));
        await h.AssertRejectedWithoutTraceAsync("0123456789abcdef");
    }

    [Fact]
    public async Task PullAllAsync_MalformedUsageJson_FailsNamingTheEndpointWritesNoUsageAndKeepsTheWatermark()
    {
        await using var h = await PullHarness.StartAsync(accounts: Accounts);
        var today = new DateTimeOffset(h.Scenario.End.UtcDateTime.Date, TimeSpan.Zero);
        var first = (await h.Pulls.PullAllAsync(Account, today.AddDays(-10), today.AddDays(-3), null, CancellationToken.None)).Single();
        Assert.True(first.Ok, first.Error);
        var watermark = await h.Ledger.ScalarAsync<long>("SELECT watermark FROM watermarks WHERE account = @Account", new { Account });
        var before = await LedgerAsync(h);
        h.Server.Faults.Add("/kilo/api/profile/usage", FakeFault.MalformedJson());

        var result = (await h.Pulls.PullAllAsync(Account, today.AddDays(-3), PullHarness.Now, null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains("kilo-test (Kilo) GET /api/profile/usage: malformed JSON", result.Error, StringComparison.Ordinal);
        AssertSame(before, await LedgerAsync(h));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>(
            "SELECT COUNT(*) FROM usage_records WHERE account = @Account AND bucket_start >= @from", new { Account, from = today.AddDays(-3).ToUnixTimeSeconds() }));
        Assert.Equal(watermark, await h.Ledger.ScalarAsync<long>("SELECT watermark FROM watermarks WHERE account = @Account", new { Account }));
    }

    [Fact]
    public async Task PullAllAsync_NumericStringsNullModelsAndUnknownFields_ReadsNumbersAndSumsRowsOfADay()
    {
        await using var h = await PullHarness.StartAsync(accounts: Accounts);
        var today = new DateTimeOffset(h.Scenario.End.UtcDateTime.Date, TimeSpan.Zero);
        var day = today.AddDays(-2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        h.Server.Faults.Add("/kilo/api/profile/usage", new FakeFault(200, $$"""
            {"usage":[
              {"date":"{{day}}","model":"anthropic/claude-sonnet-4","total_cost":"1500000","request_count":4,
               "total_input_tokens":1000,"total_output_tokens":200,"total_cache_write_tokens":null,"total_cache_hit_tokens":300,
               "x_new":{"a":[1,{"b":2}]},"organization_id":null},
              {"date":"{{day}}T00:00:00.000Z","model":"anthropic/claude-sonnet-4","total_cost":250000,
               "request_count":"6","total_input_tokens":"500","total_output_tokens":50,"total_cache_write_tokens":0,
               "total_cache_hit_tokens":0,"x_flag":true},
              {"date":"{{day}}","model":null,"total_cost":10,"request_count":1,"total_input_tokens":1,
               "total_output_tokens":1,"total_cache_write_tokens":0,"total_cache_hit_tokens":0}],
             "x_meta":{"generated":"now"} }
            """));

        var result = (await h.Pulls.PullAllAsync(Account, today.AddDays(-3), today, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        var rows = (await h.Ledger.QueryAsync<(string Model, string Workspace, string KeyId, long Input, long Cached, long Write, long Output, long Requests, long Cost)>(
            """
            SELECT model, workspace, key_id, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, requests, cost_micros
            FROM usage_records WHERE account = @Account
            """, new { Account })).ToDictionary(r => r.Model);
        Assert.Equal(2, rows.Count);
        // input 1000 + 500 with 300 of it cache hits: 1200 uncached, 300 cached.
        Assert.Equal(("anthropic/claude-sonnet-4", "", "", 1200L, 300L, 0L, 250L, 10L, 1_750_000L), rows["anthropic/claude-sonnet-4"]);
        Assert.Equal(10L, rows["(unknown)"].Cost);
    }

    [Fact]
    public async Task PullAllAsync_Inventory_StoresTheBalanceAndNoKeysOrModels()
    {
        await using var h = await PullHarness.StartAsync(accounts: Accounts);

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        var balance = Assert.Single(await h.Ledger.QueryAsync<(string Currency, long Remaining, long? Total, long Depleted)>(
            "SELECT currency, remaining_micros, total_micros, depleted FROM credit_balances WHERE account = @Account", new { Account }));
        Assert.Equal(("USD", MoneyUnits.ToMicros(FakeKiloEndpoints.PersonalBalance), (long?)null, 0L), balance);
        Assert.Equal("prepaid", await h.Ledger.ScalarAsync<string>("SELECT kind FROM credit_balances WHERE account = @Account", new { Account }));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM api_keys"));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM models"));
    }

    [Fact]
    public async Task PullAllAsync_Organization_AsksTheOrganisationsViewAndStoresTheMemberAllowanceAsAnAllowance()
    {
        await using var h = await PullHarness.StartAsync(accounts: Accounts,
            settings: new Dictionary<string, string?> { ["Monitor:Providers:0:Organization"] = FakeKiloEndpoints.OrganizationId });

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        Assert.Single(h.Server.Faults.Log, l => l.PathAndQuery == $"/kilo/api/profile/usage?groupByModel=true&viewType={FakeKiloEndpoints.OrganizationId}");
        AssertSame(Truth(h.Scenario, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, FakeKiloEndpoints.OrganizationId), await LedgerAsync(h));
        Assert.Equal((MoneyUnits.ToMicros(FakeKiloEndpoints.MemberAllowance), "allowance"),
            Assert.Single(await h.Ledger.QueryAsync<(long, string)>("SELECT remaining_micros, kind FROM credit_balances WHERE account = @Account", new { Account })));
    }

    /// <summary>
    /// The scenario's Kilo hours the view shows, per model and day in [from, to); cost in whole microdollars as Kilo books
    /// it. Input is uncached: the fake's total_input_tokens includes the cache hits, the connector takes them off.
    /// </summary>
    private static Dictionary<(string Model, long Day), Totals> Truth(DemoScenario s, DateTimeOffset from, DateTimeOffset to, string view = "personal") =>
        s.Hours.Where(x => x.Provider == DemoScenario.Kilo && x.HourStart >= from && x.HourStart < to && FakeKiloEndpoints.InView(x, view))
            .GroupBy(x => (x.Model, Day: x.HourStart.ToUnixTimeSeconds() / 86400))
            .ToDictionary(g => g.Key, g => new Totals(
                g.Sum(x => x.InputTokens), g.Sum(x => x.CachedInputTokens), g.Sum(x => x.CacheWriteTokens), g.Sum(x => x.OutputTokens),
                g.Sum(x => x.Requests), g.Sum(x => MoneyUnits.ToMicros(s.CostOf(x))))); // Kilo books whole µ$ per request

    private static async Task<Dictionary<(string Model, long Day), Totals>> LedgerAsync(PullHarness h) =>
        (await h.Ledger.QueryAsync<(string Model, long Day, long Input, long Cached, long Write, long Output, long Requests, long Cost)>(
            """
            SELECT model, bucket_start / 86400, SUM(input_tokens), SUM(cached_input_tokens), SUM(cache_write_tokens),
                   SUM(output_tokens), SUM(requests), SUM(cost_micros)
            FROM usage_records WHERE account = @Account GROUP BY 1, 2
            """, new { Account }))
        .ToDictionary(r => (r.Model, r.Day), r => new Totals(r.Input, r.Cached, r.Write, r.Output, r.Requests, r.Cost));

    private static void AssertSame(Dictionary<(string Model, long Day), Totals> expected, Dictionary<(string Model, long Day), Totals> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, totals) in expected)
            Assert.Equal(totals, actual[key]);
    }

    private sealed record Totals(long Input, long Cached, long Write, long Output, long Requests, long Cost);
}
