using System.Globalization;
using Monitor.Demo;
using Monitor.Jobs;
using Monitor.Tests.Support;

namespace Monitor.Tests.Providers;

/// <summary>
/// The LiteLLM connector against tests/Fixtures/litellm (shaped after BerriAI/litellm and its 1.95.0 served OpenAPI),
/// through the real pull path, over 2026-11-20 (past the log retention: only the daily rollup holds it) and 2026-11-21
/// (logged, but one request's log row is missing). Expected figures are worked out by hand from the fixtures.
/// </summary>
public sealed class LiteLLMContractTests
{
    private const string Account = "litellm-test";
    private const string Search = "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b";
    private const string Chat = "db725b2f0e9d55cf4b5fe85f296c27b4e4133f139489cb4c2a8c5dd9bcdb4210";
    private const string Gpt = "gpt-4o-mini";
    private const string Claude = "claude-3-5-haiku-20241022";
    private static readonly DateTimeOffset Day1 = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Day2 = Day1.AddDays(1);
    private static readonly (string, string)[] Accounts = [("litellm", "LiteLLM")];

    /// <summary>
    /// The records the fixtures make: (team, key, model, category, width, bucket) -> (uncached input, cache reads, cache
    /// writes, output, requests, micros). LiteLLM's prompt tokens include the cache reads and writes.
    /// </summary>
    private static readonly Dictionary<(string Team, string Key, string Model, string Category, string Width, string Bucket), Totals> Expected = new()
    {
        // spend-logs: two gpt requests at 09h (8000 prompt of which 3000 cached, 1500 out, $0.0021; 6000/2000, 1000, $0.0015).
        [("team-search", Search, Gpt, "", "1h", "2026-11-21T09")] = new(9000, 5000, 0, 2500, 2, 3600),
        [("team-search", Search, Gpt, "", "1h", "2026-11-21T14")] = new(4000, 0, 0, 500, 1, 900),
        [("team-search", Search, "dall-e-3", "images", "1h", "2026-11-21T11")] = new(0, 0, 0, 0, 1, 40_000),
        // claude at 10h: 20000 prompt = 12000 cache reads + 2000 cache writes + 6000 uncached; 3000 out; $0.0312.
        [("team-chat", Chat, Claude, "", "1h", "2026-11-21T10")] = new(6000, 12_000, 2000, 3000, 1, 31_200),
        [("team-chat", Chat, Claude, "", "1h", "2026-11-21T16")] = new(6000, 4000, 0, 2000, 1, 18_800),
        // The rollup's 2026-11-21 gpt cell (4 requests, 20000 prompt, 5000 cache reads, 3400 out, $0.0051) less the three
        // logged (18000, 5000, 3000, $0.0045): the request whose log row is missing.
        [("team-search", Search, Gpt, "", "1d", "2026-11-21")] = new(2000, 0, 0, 400, 1, 600),
        // 2026-11-20: no logs, so the rollup's cells: gpt (15000 prompt of which 4000 cache reads, 2600 out, 3 req, $0.0038),
        // the search key's MCP call outside any model ($0.0039 key total less $0.0038), claude (12000 prompt = 6000 reads
        // + 1000 writes + 5000 uncached, 2000 out, 2 req, $0.0234).
        [("team-search", Search, Gpt, "", "1d", "2026-11-20")] = new(11_000, 4000, 0, 2600, 3, 3800),
        [("team-search", Search, "(unknown)", "", "1d", "2026-11-20")] = new(0, 0, 0, 0, 1, 100),
        [("team-chat", Chat, Claude, "", "1d", "2026-11-20")] = new(5000, 6000, 1000, 2000, 2, 23_400),
    };

    /// <summary>Per team, key, model and day: the daily rollup's cells, to the micro.</summary>
    private static readonly Dictionary<(string Team, string Key, string Model, string Day), Totals> DailyTotals = new()
    {
        [("team-search", Search, Gpt, "2026-11-21")] = new(15_000, 5000, 0, 3400, 4, 5100), // 20000 prompt - 5000 cache reads
        [("team-search", Search, "dall-e-3", "2026-11-21")] = new(0, 0, 0, 0, 1, 40_000),
        [("team-chat", Chat, Claude, "2026-11-21")] = new(12_000, 16_000, 2000, 5000, 2, 50_000), // 30000 - 16000 - 2000
        [("team-search", Search, Gpt, "2026-11-20")] = new(11_000, 4000, 0, 2600, 3, 3800),
        [("team-search", Search, "(unknown)", "2026-11-20")] = new(0, 0, 0, 0, 1, 100),
        [("team-chat", Chat, Claude, "2026-11-20")] = new(5000, 6000, 1000, 2000, 2, 23_400),
    };

    [Fact]
    public async Task PullAllAsync_Fixtures_HourlyShapeFromTheLogsAndDayTotalsFromTheRollupToTheMicro()
    {
        await using var h = await StartAsync();

        var result = await PullAsync(h);

        Assert.True(result.Ok, result.Error);
        Assert.Equal(Expected.OrderBy(e => e.Key), (await RecordsAsync(h)).OrderBy(e => e.Key));
        Assert.Equal(DailyTotals.OrderBy(e => e.Key), (await DailyAsync(h)).OrderBy(e => e.Key));
        // The rollup's day totals: 2026-11-20 $0.0273, 2026-11-21 $0.0951.
        Assert.Equal([27_300L, 95_100L], await h.Ledger.QueryAsync<long>("SELECT SUM(cost_micros) FROM usage_records GROUP BY bucket_start / 86400 ORDER BY 1"));
        var asked = h.Server.Faults.Log.Select(l => l.PathAndQuery).ToList();
        Assert.Contains("/litellm/spend/logs/v2?start_date=2026-11-20%2000%3A00%3A00&end_date=2026-11-22%2000%3A00%3A00&page=2&page_size=1000&sort_by=startTime&sort_order=asc", asked);
        Assert.Contains("/litellm/user/daily/activity?start_date=2026-11-20&end_date=2026-11-21&page=2&page_size=1000", asked);
    }

    [Fact]
    public async Task PullAllAsync_BackfillPastLogRetention_KeepsTheStoredDailyTotals()
    {
        await using var h = await StartAsync();
        var first = await PullAsync(h);
        var stored = await DailyAsync(h);
        // Retention has deleted the spend logs of the whole window since: the proxy answers an empty log.
        h.Server.Faults.Add("/litellm/spend/logs/v2", new FakeFault(200, Fixture.Load("litellm/spend-logs-empty.json").Body));

        var backfill = await PullAsync(h);

        Assert.True(first.Ok && backfill.Ok, first.Error + backfill.Error);
        Assert.Equal(DailyTotals.OrderBy(e => e.Key), stored.OrderBy(e => e.Key));
        Assert.Equal(stored.OrderBy(e => e.Key), (await DailyAsync(h)).OrderBy(e => e.Key)); // nothing erased, nothing doubled
        Assert.Equal(["1d"], await h.Ledger.QueryAsync<string>("SELECT DISTINCT bucket_width FROM usage_records"));
    }

    [Fact]
    public async Task PullAllAsync_SecondPull_ChangesNothing()
    {
        await using var h = await StartAsync();
        await PullAsync(h);
        var before = await RecordsAsync(h);

        var second = await PullAsync(h);

        Assert.True(second.Ok, second.Error);
        Assert.Equal(before.OrderBy(e => e.Key), (await RecordsAsync(h)).OrderBy(e => e.Key));
    }

    [Fact]
    public async Task PullAllAsync_ServerIgnoresThePageOfTheLog_FailsNamingTheEndpointAfterTwoRequests()
    {
        await using var h = await PullHarness.StartAsync(accounts: Accounts);
        ServeRollupAndKeys(h);
        Serve(h, "spend-logs-page1.json", "/spend/logs/v2"); // page 1 for every page

        var result = await PullAsync(h);

        Assert.False(result.Ok);
        Assert.Contains("GET /spend/logs/v2: paging made no progress", result.Error, StringComparison.Ordinal);
        Assert.Equal(2, h.Server.Faults.Log.Count(l => l.PathAndQuery.StartsWith("/litellm/spend/logs/v2?", StringComparison.Ordinal)));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records"));
    }

    [Fact]
    public async Task PullAllAsync_ProxyCappingPageSizeAt100_AsksAgainWith100()
    {
        await using var h = await StartAsync();
        h.Server.Faults.Add("/litellm/spend/logs/v2", new FakeFault(422,
            """{"detail":[{"type":"less_than_equal","loc":["query","page_size"],"msg":"Input should be less than or equal to 100","input":"1000","ctx":{"le":100}}]}"""));

        var result = await PullAsync(h);

        Assert.True(result.Ok, result.Error);
        Assert.Contains(h.Server.Faults.Log, l => l.PathAndQuery.Contains("page=2&page_size=100&", StringComparison.Ordinal));
        Assert.Equal(Expected.OrderBy(e => e.Key), (await RecordsAsync(h)).OrderBy(e => e.Key));
    }

    [Fact]
    public async Task PullAllAsync_TooManyRequestsWithRetryAfter_WaitsAndLedgersTheSame()
    {
        await using var h = await StartAsync();
        h.Server.Faults.Add("/litellm/user/daily/activity", FakeFault.TooManyRequests(1));

        var result = await PullAsync(h);

        Assert.True(result.Ok, result.Error);
        RetryAssertions.AssertRetriedAfter(h.Server);
        Assert.Equal(Expected.OrderBy(e => e.Key), (await RecordsAsync(h)).OrderBy(e => e.Key));
    }

    [Fact]
    public async Task PullAllAsync_UnknownCallType_ReportsDriftAndKeepsItsMoneyUnderItsOwnCategory()
    {
        await using var h = await StartAsync();
        var body = Fixture.Load("litellm/spend-logs-page1.json").Body.Replace("\"call_type\":\"acompletion\"", "\"call_type\":\"amcp_sampling\"", StringComparison.Ordinal);
        h.Server.Faults.Add("/litellm/spend/logs/v2", new FakeFault(200, body)); // page 1: all three of its requests

        var result = await PullAsync(h);

        Assert.True(result.Ok, result.Error);
        Assert.Contains(("GET /spend/logs/v2", "data[].call_type"), await DriftAsync(h));
        var records = await RecordsAsync(h);
        Assert.Equal(new Totals(9000, 5000, 0, 2500, 2, 3600), records[("team-search", Search, Gpt, "amcp_sampling", "1h", "2026-11-21T09")]);
        Assert.Equal(new Totals(6000, 12_000, 2000, 3000, 1, 31_200), records[("team-chat", Chat, Claude, "amcp_sampling", "1h", "2026-11-21T10")]);
        Assert.Equal(DailyTotals.OrderBy(e => e.Key), (await DailyAsync(h)).OrderBy(e => e.Key));
    }

    [Fact]
    public async Task PullAllAsync_SpendOfTheWrongType_ReportsDriftAndTheDayRecordCarriesTheMoney()
    {
        await using var h = await StartAsync();
        var body = Fixture.Load("litellm/spend-logs-page1.json").Body.Replace("\"spend\":0.0312", "\"spend\":{\"usd\":0.0312}", StringComparison.Ordinal);
        h.Server.Faults.Add("/litellm/spend/logs/v2", new FakeFault(200, body));

        var result = await PullAsync(h);

        Assert.True(result.Ok, result.Error);
        Assert.Contains(("GET /spend/logs/v2", "data[].spend"), await DriftAsync(h));
        var records = await RecordsAsync(h);
        Assert.Equal(new Totals(6000, 12_000, 2000, 3000, 1, 0), records[("team-chat", Chat, Claude, "", "1h", "2026-11-21T10")]);
        Assert.Equal(new Totals(0, 0, 0, 0, 0, 31_200), records[("team-chat", Chat, Claude, "", "1d", "2026-11-21")]);
        Assert.Equal(DailyTotals.OrderBy(e => e.Key), (await DailyAsync(h)).OrderBy(e => e.Key));
    }

    [Fact]
    public async Task PullAllAsync_Inventory_ListsEveryPageOfKeysAndTheirInfo()
    {
        await using var h = await StartAsync();

        var result = await PullAsync(h);

        Assert.True(result.Ok, result.Error);
        var keys = (await h.Ledger.QueryAsync<(string KeyId, string Name, string Workspace, string Fingerprint, string Status, long? Expires, long? LastUsed)>(
            "SELECT key_id, name, workspace, fingerprint, status, expires_at, last_used_at FROM api_keys WHERE account = @Account ORDER BY name DESC", new { Account })).ToList();
        Assert.Equal(
            [
                (Search, "search-service", "team-search", "88dc28d0f030...Fh3k", "active", (long?)null, (long?)Utc("2026-11-21T14:05:11Z")),
                (Chat, "chat-frontend", "team-chat", "db725b2f0e9d...Tz8w", "active", (long?)Utc("2027-01-21T00:00:00Z"), (long?)Utc("2026-11-21T16:20:45Z")),
            ],
            keys);
        Assert.Equal(2, h.Server.Faults.Log.Count(l => l.PathAndQuery.StartsWith("/litellm/key/list?", StringComparison.Ordinal)));
    }

    private static async Task<AccountPullResult> PullAsync(PullHarness h) =>
        (await h.Pulls.PullAllAsync(Account, Day1, Day2.AddDays(1), null, CancellationToken.None)).Single();

    private static async Task<PullHarness> StartAsync()
    {
        var h = await PullHarness.StartAsync(accounts: Accounts);
        ServeRollupAndKeys(h);
        Serve(h, "spend-logs-page1.json", "/spend/logs/v2", ("page", "1"));
        Serve(h, "spend-logs-page2.json", "/spend/logs/v2", ("page", "2"));
        return h;
    }

    private static void ServeRollupAndKeys(PullHarness h)
    {
        Serve(h, "user-daily-activity-page1.json", "/user/daily/activity", ("page", "1"));
        Serve(h, "user-daily-activity-page2.json", "/user/daily/activity", ("page", "2"));
        Serve(h, "key-list-page1.json", "/key/list", ("page", "1"));
        Serve(h, "key-list-page2.json", "/key/list", ("page", "2"));
        Serve(h, "key-info-search.json", "/key/info", ("key", Search));
        Serve(h, "key-info-chat.json", "/key/info", ("key", Chat));
    }

    private static void Serve(PullHarness h, string fixture, string path, params (string Name, string Value)[] query) =>
        h.Server.Fixtures.Serve("/litellm" + path, Fixture.Load("litellm/" + fixture).Body, query.ToDictionary(q => q.Name, q => q.Value));

    private static async Task<Dictionary<(string Team, string Key, string Model, string Category, string Width, string Bucket), Totals>> RecordsAsync(PullHarness h) =>
        (await h.Ledger.QueryAsync<(string Team, string Key, string Model, string Category, string Width, long Start, long Input, long Cached, long Write, long Output, long Requests, long Cost)>(
            """
            SELECT workspace, key_id, model, category, bucket_width, bucket_start, input_tokens, cached_input_tokens, cache_write_tokens,
                   output_tokens, requests, cost_micros
            FROM usage_records WHERE account = @Account
            """, new { Account }))
        .ToDictionary(
            r => (r.Team, r.Key, r.Model, r.Category, r.Width,
                DateTimeOffset.FromUnixTimeSeconds(r.Start).ToString(r.Width == "1h" ? "yyyy-MM-dd'T'HH" : "yyyy-MM-dd", CultureInfo.InvariantCulture)),
            r => new Totals(r.Input, r.Cached, r.Write, r.Output, r.Requests, r.Cost));

    private static async Task<Dictionary<(string Team, string Key, string Model, string Day), Totals>> DailyAsync(PullHarness h) =>
        (await h.Ledger.QueryAsync<(string Team, string Key, string Model, long Day, long Input, long Cached, long Write, long Output, long Requests, long Cost)>(
            """
            SELECT workspace, key_id, model, bucket_start / 86400, SUM(input_tokens), SUM(cached_input_tokens), SUM(cache_write_tokens),
                   SUM(output_tokens), SUM(requests), SUM(cost_micros)
            FROM usage_records WHERE account = @Account GROUP BY 1, 2, 3, 4
            """, new { Account }))
        .ToDictionary(
            r => (r.Team, r.Key, r.Model, DateTimeOffset.FromUnixTimeSeconds(r.Day * 86400).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            r => new Totals(r.Input, r.Cached, r.Write, r.Output, r.Requests, r.Cost));

    private static async Task<List<(string Endpoint, string Path)>> DriftAsync(PullHarness h) =>
        [.. await h.Ledger.QueryAsync<(string, string)>("SELECT endpoint, path FROM provider_drift WHERE account = @Account", new { Account })];

    private static long Utc(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture).ToUnixTimeSeconds();

    private sealed record Totals(long Input, long Cached, long Write, long Output, long Requests, long Cost);
}
