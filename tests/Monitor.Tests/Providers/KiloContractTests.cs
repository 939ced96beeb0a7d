using Monitor.Demo;
using Monitor.Providers;
using Monitor.Tests.Support;

namespace Monitor.Tests.Providers;

/// <summary>
/// The Kilo connector against tests/Fixtures/kilo, built from what the SQL of Kilo-Org/cloud's usage route returns, through
/// the real pull path. Expected figures are worked out by hand from the fixtures.
/// </summary>
public sealed class KiloContractTests
{
    private const string Account = "kilo-test";
    private const string Organization = "5b0c8a52-2f5e-4a8e-9d43-3c1f0e6a7b21";
    private const string Claude = "anthropic/claude-sonnet-4";
    private const string Codestral = "mistralai/codestral-2508";
    private const string Day1 = "2026-11-20";
    private const string Day2 = "2026-11-21";
    private static readonly (string, string)[] Accounts = [("kilo", "Kilo")];

    /// <summary>usage-org.json per model and day: (uncached input, cache hits, cache writes, output, requests, micros).</summary>
    private static readonly Dictionary<(string Model, string Category, string Day), Totals> OrganisationUsage = new()
    {
        [(Claude, "", Day2)] = new(111_000, 401_000, 0, 38_000, 42, 1_830_000), // 512000 input of which 401000 cache hits
        [(Codestral, "", Day2)] = new(88_000, 0, 0, 29_000, 310, 52_500),
        [(Claude, "", Day1)] = new(80_000, 270_000, 0, 25_000, 30, 1_254_321), // 350000 - 270000
        [("(unknown)", "", Day1)] = new(500, 0, 0, 0, 1, 1500), // the row with a null model
    };

    [Fact]
    public async Task PullAllAsync_Organization_AsksTheOrganisationsViewAndLedgersItToTheMicro()
    {
        await using var h = await StartAsync(Organization);

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        Assert.Equal(OrganisationUsage.OrderBy(e => e.Key), (await LedgerAsync(h)).OrderBy(e => e.Key));
        // Day totals: 2026-11-21 1830000 + 52500 = 1882500 µ$; 2026-11-20 1254321 + 1500 = 1255821 µ$.
        Assert.Equal([(Day1, 1_255_821L), (Day2, 1_882_500L)], await DayTotalsAsync(h));
        Assert.Contains(h.Server.Faults.Log, l => l.PathAndQuery == $"/kilo/api/profile/usage?groupByModel=true&viewType={Organization}");
        Assert.DoesNotContain(h.Server.Faults.Log, l => l.PathAndQuery.Contains("viewType=personal", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PullAllAsync_NoOrganization_AsksThePersonalView()
    {
        await using var h = await StartAsync(null);

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        // usage-personal.json: 20000 input of which 12000 cache hits.
        Assert.Equal([new KeyValuePair<(string, string, string), Totals>((Claude, "", Day2), new(8000, 12_000, 0, 1000, 3, 99_000))], await LedgerAsync(h));
        Assert.Equal(("prepaid", 42_170_000L), Assert.Single(await h.Ledger.QueryAsync<(string, long)>("SELECT kind, remaining_micros FROM credit_balances")));
    }

    [Fact]
    public async Task PullAllAsync_TotalInputIncludesCacheHits_UncachedInputIsTheDifference()
    {
        await using var h = await StartAsync(Organization);

        await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None);

        // Each day's uncached + cached input equals Kilo's total_input_tokens (512000 + 88000 on 2026-11-21; 350000 + 500 the day before).
        Assert.Equal([600_000L, 350_500L], await h.Ledger.QueryAsync<long>(
            "SELECT SUM(input_tokens + cached_input_tokens + cache_write_tokens) FROM usage_records GROUP BY bucket_start ORDER BY bucket_start DESC"));
    }

    [Fact]
    public async Task PullAllAsync_Organization_StoresTheMemberAllowanceAsAnAllowance()
    {
        await using var h = await StartAsync(Organization);

        await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None);

        Assert.Equal(("allowance", 12_500_000L, 0L), Assert.Single(await h.Ledger.QueryAsync<(string, long, long)>("SELECT kind, remaining_micros, depleted FROM credit_balances")));
    }

    [Fact]
    public async Task PullAllAsync_SecondPull_ChangesNothing()
    {
        await using var h = await StartAsync(Organization);
        await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None);
        var before = await LedgerAsync(h);

        var second = (await h.Pulls.PullAllAsync(Account, PullHarness.Now.AddDays(-10), PullHarness.Now, null, CancellationToken.None)).Single();

        Assert.True(second.Ok, second.Error);
        Assert.Equal(before.OrderBy(e => e.Key), (await LedgerAsync(h)).OrderBy(e => e.Key));
        Assert.Equal(OrganisationUsage.Count, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records"));
    }

    [Theory]
    [InlineData("/api/openrouter/")]
    [InlineData("/api/gateway")]
    [InlineData("/api")]
    public async Task PullAllAsync_BaseUrlAsTheExtensionShowsIt_ReachesTheAppRoutes(string pasted)
    {
        await using var fake = await StartAsync(Organization);
        // A second ledger pointed at the same fake and key, with the base URL as pasted.
        await using var h = await StartAsync(Organization, fake.Server.BaseUrlOf("kilo") + pasted, Environment.GetEnvironmentVariable(fake.KeyVariable));

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        Assert.Equal(OrganisationUsage.OrderBy(e => e.Key), (await LedgerAsync(h)).OrderBy(e => e.Key));
    }

    [Fact]
    public async Task PullAllAsync_TooManyRequestsWithRetryAfter_WaitsAndLedgersTheSame()
    {
        await using var h = await StartAsync(Organization);
        h.Server.Faults.Add("/kilo/api/profile/usage", new FakeFault(429, """{"success":false,"error":"Too many requests"}""", RetryAfterSeconds: 1));

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        RetryAssertions.AssertRetriedAfter(h.Server);
        Assert.Equal(OrganisationUsage.OrderBy(e => e.Key), (await LedgerAsync(h)).OrderBy(e => e.Key));
    }

    [Fact]
    public async Task PullAllAsync_UnknownCostField_ReportsDriftAndKeepsTheMoney()
    {
        await using var h = await StartAsync(Organization);
        var body = Fixture.Load("kilo/usage-org.json").Body.Replace("\"total_cost\":52500,", "\"total_cost\":52500,\"total_byok_cost\":5000,", StringComparison.Ordinal);
        h.Server.Faults.Add("/kilo/api/profile/usage", new FakeFault(200, body));

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        Assert.Contains(("GET /api/profile/usage", "usage[].total_byok_cost"), await DriftAsync(h));
        Assert.Equal(OrganisationUsage.OrderBy(e => e.Key), (await LedgerAsync(h)).OrderBy(e => e.Key));
    }

    [Fact]
    public async Task PullAllAsync_CostOfTheWrongType_ReportsDriftAndKeepsTheRowApart()
    {
        await using var h = await StartAsync(Organization);
        var body = Fixture.Load("kilo/usage-org.json").Body.Replace("\"total_cost\":52500,", "\"total_cost\":{\"microdollars\":52500},", StringComparison.Ordinal);
        h.Server.Faults.Add("/kilo/api/profile/usage", new FakeFault(200, body));

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        Assert.Contains(("GET /api/profile/usage", "usage[].total_cost"), await DriftAsync(h));
        var expected = new Dictionary<(string Model, string Category, string Day), Totals>(OrganisationUsage);
        expected.Remove((Codestral, "", Day2));
        expected[(Codestral, KiloConnector.UnreadableCostCategory, Day2)] = new(88_000, 0, 0, 29_000, 310, null); // no catalog price for it: unpriced
        Assert.Equal(expected.OrderBy(e => e.Key), (await LedgerAsync(h)).OrderBy(e => e.Key));
    }

    private static async Task<PullHarness> StartAsync(string? organization, string? baseUrl = null, string? key = null)
    {
        var settings = new Dictionary<string, string?>();
        if (organization is not null)
            settings["Monitor:Providers:0:Organization"] = organization;
        if (baseUrl is not null)
            settings["Monitor:Providers:0:BaseUrl"] = baseUrl;
        var h = await PullHarness.StartAsync(keyOverride: key, accounts: Accounts, settings: settings);
        Serve(h, "usage-org.json", "/api/profile/usage", ("groupByModel", "true"), ("viewType", Organization));
        Serve(h, "usage-personal.json", "/api/profile/usage", ("groupByModel", "true"), ("viewType", "personal"));
        Serve(h, organization is null ? "balance-personal.json" : "balance-org.json", "/api/profile/balance");
        return h;
    }

    private static void Serve(PullHarness h, string fixture, string path, params (string Name, string Value)[] query) =>
        h.Server.Fixtures.Serve("/kilo" + path, Fixture.Load("kilo/" + fixture).Body, query.ToDictionary(q => q.Name, q => q.Value));

    private static async Task<Dictionary<(string Model, string Category, string Day), Totals>> LedgerAsync(PullHarness h) =>
        (await h.Ledger.QueryAsync<(string Model, string Category, long Day, long Input, long Cached, long Write, long Output, long Requests, long? Cost)>(
            """
            SELECT model, category, bucket_start, SUM(input_tokens), SUM(cached_input_tokens), SUM(cache_write_tokens), SUM(output_tokens),
                   SUM(requests), SUM(cost_micros)
            FROM usage_records WHERE account = @Account GROUP BY 1, 2, 3
            """, new { Account }))
        .ToDictionary(
            r => (r.Model, r.Category, DateTimeOffset.FromUnixTimeSeconds(r.Day).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
            r => new Totals(r.Input, r.Cached, r.Write, r.Output, r.Requests, r.Cost));

    private static async Task<List<(string Day, long Cost)>> DayTotalsAsync(PullHarness h) =>
        [.. (await h.Ledger.QueryAsync<(long Day, long Cost)>(
            "SELECT bucket_start, SUM(cost_micros) FROM usage_records WHERE account = @Account GROUP BY 1 ORDER BY 1", new { Account }))
            .Select(r => (DateTimeOffset.FromUnixTimeSeconds(r.Day).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), r.Cost))];

    private static async Task<List<(string Endpoint, string Path)>> DriftAsync(PullHarness h) =>
        [.. await h.Ledger.QueryAsync<(string, string)>("SELECT endpoint, path FROM provider_drift WHERE account = @Account", new { Account })];

    private sealed record Totals(long Input, long Cached, long Write, long Output, long Requests, long? Cost);
}
