using System.Globalization;
using System.Web;
using Monitor.Core.Keys;
using Monitor.Core.Pricing;
using Monitor.Demo;
using Monitor.Providers;
using Monitor.Tests.Support;

namespace Monitor.Tests.Providers;

/// <summary>The LiteLLM connector over real HTTP against the fake proxy, through the real pull path.</summary>
public sealed class LiteLLMConnectorTests
{
    private const string Account = "litellm-test";
    private const string LogsPath = "/litellm/spend/logs/v2";
    private static readonly (string Prefix, string Kind)[] LiteLLM = [("litellm", "LiteLLM")];

    [Fact]
    public async Task PullAllAsync_FullBackfill_LedgerEqualsScenarioPerKeyModelAndDay()
    {
        await using var h = await PullHarness.StartAsync(accounts: LiteLLM);

        var results = await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None);

        Assert.True(results.Single().Ok, results.Single().Error);
        await AssertLedgerEqualsTruthAsync(h);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>(
            $"SELECT COUNT(*) FROM usage_records WHERE account = '{Account}' AND (cost_source <> 'reported' OR currency <> 'USD' OR provider <> 'litellm')"));
    }

    [Fact]
    public async Task PullAllAsync_DaysPastLogRetention_KeepTheirTotalsAsDayRecordsFromTheRollup()
    {
        await using var h = await PullHarness.StartAsync(days: 40, accounts: LiteLLM);

        var results = await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None);

        Assert.True(results.Single().Ok, results.Single().Error);
        await AssertLedgerEqualsTruthAsync(h);
        var retained = FakeLiteLLMEndpoints.RetainedFrom(h.Scenario).ToUnixTimeSeconds();
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>(
            $"SELECT COUNT(*) FROM usage_records WHERE account = '{Account}' AND bucket_width = '1h' AND bucket_start < @retained", new { retained }));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>(
            $"SELECT COUNT(*) FROM usage_records WHERE account = '{Account}' AND bucket_width = '1d' AND bucket_start >= @day", new { day = retained - retained % 86400 + 86400 }));
    }

    [Fact]
    public async Task PullAllAsync_HourlyRecords_CostIsTheSumOfTheRowsSpendToTheMicro()
    {
        await using var h = await PullHarness.StartAsync(days: 3, accounts: LiteLLM);

        await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None);

        var ledger = (await h.Ledger.QueryAsync<(string KeyId, string Model, long Start, long Cost)>(
            $"SELECT key_id, model, bucket_start, cost_micros FROM usage_records WHERE account = '{Account}'"))
            .ToDictionary(r => (r.KeyId, r.Model, r.Start), r => r.Cost);
        var truth = h.Scenario.Hours.Where(x => x.Provider == DemoScenario.LiteLLM)
            .ToDictionary(x => (x.KeyId, x.Model, x.HourStart.ToUnixTimeSeconds()), x => MoneyUnits.ToMicros(h.Scenario.CostOf(x)));
        Assert.Equal(truth.OrderBy(t => t.Key), ledger.OrderBy(l => l.Key)); // all logged: no day records beside the hours
    }

    [Fact]
    public async Task PullAllAsync_SpendLogLongerThanAPage_WalksEveryPageOldestFirst()
    {
        await using var h = await PullHarness.StartAsync(days: 10, accounts: LiteLLM);

        var results = await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None);

        Assert.True(results.Single().Ok, results.Single().Error);
        var queries = h.Server.Faults.Log.Where(l => l.PathAndQuery.StartsWith(LogsPath + "?", StringComparison.Ordinal))
            .Select(l => HttpUtility.ParseQueryString(l.PathAndQuery[(LogsPath.Length + 1)..])).ToList();
        Assert.All(queries, q => Assert.Equal(("startTime", "asc", "1000"), (q["sort_by"], q["sort_order"], q["page_size"])));
        var requests = queries
            .GroupBy(q => (From: Utc(q["start_date"]!), To: Utc(q["end_date"]!)))
            .ToDictionary(g => g.Key, g => g.Select(q => int.Parse(q["page"]!, CultureInfo.InvariantCulture)).Order().ToList());
        Assert.NotEmpty(requests);
        foreach (var ((from, to), pages) in requests)
        {
            var rows = h.Scenario.Hours.Where(x => x.Provider == DemoScenario.LiteLLM && x.HourStart >= from && x.HourStart < to)
                .Sum(FakeLiteLLMEndpoints.RowCount);
            var expected = Math.Max(1, (rows + LiteLLMConnector.PageSize - 1) / LiteLLMConnector.PageSize);
            Assert.Equal(Enumerable.Range(1, expected), pages);
        }

        Assert.Contains(requests.Values, p => p.Count >= 2);
    }

    [Fact]
    public async Task PullAllAsync_429WithRetryAfterThenSuccess_WaitsAndSucceeds()
    {
        await using var h = await PullHarness.StartAsync(days: 3, accounts: LiteLLM);
        h.Server.Faults.Add(LogsPath, FakeFault.TooManyRequests(1));

        var results = await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None);

        Assert.True(results.Single().Ok, results.Single().Error);
        var log = h.Server.Faults.Log.Where(l => l.PathAndQuery.StartsWith(LogsPath, StringComparison.Ordinal)).ToList();
        var limited = log.FindIndex(l => l.Status == 429);
        Assert.True(limited >= 0, "the 429 was never served");
        Assert.Equal(200, log[limited + 1].Status);
        Assert.True(log[limited + 1].At - log[limited].At >= TimeSpan.FromSeconds(0.9), $"retried after {(log[limited + 1].At - log[limited].At).TotalMilliseconds} ms");
        await AssertLedgerEqualsTruthAsync(h);
    }

    [Fact]
    public async Task PullAllAsync_500ThenSuccess_SucceedsWithNothingDoubled()
    {
        await using var h = await PullHarness.StartAsync(days: 3, accounts: LiteLLM);
        h.Server.Faults.Add(LogsPath, FakeFault.ServerError());

        var results = await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None);

        Assert.True(results.Single().Ok, results.Single().Error);
        Assert.Contains(h.Server.Faults.Log, l => l.Status == 500);
        await AssertLedgerEqualsTruthAsync(h);
    }

    [Fact]
    public async Task PullAllAsync_WrongMasterKey_FailsNamingEndpointAndStatusWritesNothingAndHidesTheKey()
    {
        await using var h = await PullHarness.StartAsync(days: 3, keyOverride: "sk-wrong-key-0123456789abcdef", accounts: LiteLLM);

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains("litellm-test (LiteLLM)", result.Error, StringComparison.Ordinal);
        Assert.Contains("GET /key/list", result.Error, StringComparison.Ordinal);
        Assert.Contains("HTTP 401", result.Error, StringComparison.Ordinal);
        Assert.Contains("Invalid proxy server token", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM api_keys"));
        await h.AssertRejectedWithoutTraceAsync("0123456789abcdef");
    }

    [Fact]
    public async Task PullAllAsync_MalformedSpendLog_FailsNamingTheEndpointAndKeepsLedgerAndWatermark()
    {
        await using var h = await PullHarness.StartAsync(days: 4, accounts: LiteLLM);
        await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None);
        const string Totals = "SELECT COUNT(*) || '/' || SUM(cost_micros) || '/' || SUM(input_tokens) FROM usage_records";
        var before = await h.Ledger.ScalarAsync<string>(Totals);
        var watermark = await h.Ledger.ScalarAsync<long>($"SELECT watermark FROM watermarks WHERE account = '{Account}'");
        h.Ledger.Clock.Advance(TimeSpan.FromHours(3));
        h.Server.Faults.Add(LogsPath, FakeFault.MalformedJson());

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains("GET /spend/logs/v2", result.Error, StringComparison.Ordinal);
        Assert.Contains("malformed JSON", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, await h.Ledger.ScalarAsync<string>(Totals));
        Assert.Equal(watermark, await h.Ledger.ScalarAsync<long>($"SELECT watermark FROM watermarks WHERE account = '{Account}'"));
        Assert.Equal(1, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM pull_runs WHERE outcome = 'failed' AND endpoint = 'GET /spend/logs/v2'"));
    }

    [Fact]
    public async Task PullAllAsync_UnknownFieldsNullTeamAndKey_IgnoresExtrasAndMapsNullsToEmpty()
    {
        await using var h = await PullHarness.StartAsync(days: 7, accounts: LiteLLM);
        var day = new DateTimeOffset(PullHarness.Now.UtcDateTime.Date.AddDays(-3), TimeSpan.Zero);
        var hour = day.AddHours(10).ToString("yyyy-MM-dd'T'HH", CultureInfo.InvariantCulture);
        h.Server.Faults.Add(LogsPath, new FakeFault(200, $$$"""
            {"data":[
              {"request_id":"r1","api_key":null,"team_id":null,"spend":1.5e-05,"prompt_tokens":120,"completion_tokens":30,"total_tokens":150,
               "startTime":"{{{hour}}}:05:00.250000+00:00","model":"gpt-4o-mini","custom_llm_provider":"openai",
               "metadata":"{\"usage_object\":{\"prompt_tokens_details\":{\"cached_tokens\":20}},\"future\":[1,2]}",
               "brand_new_field":{"nested":[true,null]},"status":"success"},
              {"request_id":"r2","api_key":null,"team_id":null,"spend":0.0012,"prompt_tokens":100,"completion_tokens":50,"total_tokens":150,
               "startTime":"{{{hour}}}:45:10Z","model":"gpt-4o-mini","another_unknown":"x"},
              {"request_id":"r2","api_key":null,"team_id":null,"spend":0.0012,"prompt_tokens":100,"completion_tokens":50,"total_tokens":150,
               "startTime":"{{{hour}}}:45:10Z","model":"gpt-4o-mini"}
            ],"total":3,"page":1,"page_size":100,"total_pages":1,"total_is_capped":false}
            """));
        h.Server.Faults.Add("/litellm/user/daily/activity", new FakeFault(200, """{"results":[],"metadata":{"page":1,"total_pages":0,"has_more":false}}"""));

        var result = (await h.Pulls.PullAllAsync(Account, day, day.AddDays(1), null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        var row = (await h.Ledger.QueryAsync<(string Workspace, string KeyId, long Input, long Cached, long Output, long Requests, long Cost, long? Estimate)>(
            $"SELECT workspace, key_id, input_tokens, cached_input_tokens, output_tokens, requests, cost_micros, estimated_cost_micros FROM usage_records WHERE account = '{Account}'")).Single();
        Assert.Equal(("", "", 200L, 20L, 80L, 2L, 1215L), (row.Workspace, row.KeyId, row.Input, row.Cached, row.Output, row.Requests, row.Cost));
        Assert.NotNull(row.Estimate); // gpt-4o-mini through custom_llm_provider openai is in the catalog
    }

    [Fact]
    public async Task PullAllAsync_Inventory_StoresVirtualKeysWithFingerprintsAndNoModelsOrBalance()
    {
        await using var h = await PullHarness.StartAsync(days: 7, accounts: LiteLLM);

        await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None);

        var stored = (await h.Ledger.QueryAsync<(string KeyId, string Name, string Workspace, string Fingerprint, string LastFour, string Owner, string Status, long? Created, long? Expires, long? LastUsed)>(
            $"SELECT key_id, name, workspace, fingerprint, last_four, owner, status, created_at, expires_at, last_used_at FROM api_keys WHERE account = '{Account}'"))
            .ToDictionary(k => k.KeyId);
        var keys = h.Scenario.Keys.Where(k => k.Provider == DemoScenario.LiteLLM).ToList();
        Assert.Equal(keys.Select(k => k.KeyId).Order(), stored.Keys.Order());
        foreach (var k in keys)
        {
            var s = stored[k.KeyId];
            var lastFour = k.RedactedValue[^4..];
            var lastUsed = h.Scenario.Hours.Where(x => x.KeyId == k.KeyId).Max(x => x.HourStart).AddMinutes(59);
            Assert.Equal(
                (k.Name, k.WorkspaceId, KeyFingerprint.FromHash(k.KeyId, lastFour), lastFour, k.OwnerEmail, "active",
                    k.CreatedAt.ToUnixTimeSeconds(), k.ExpiresAt?.ToUnixTimeSeconds(), lastUsed.ToUnixTimeSeconds()),
                (s.Name, s.Workspace, s.Fingerprint, s.LastFour, s.Owner, s.Status, s.Created!.Value, s.Expires, s.LastUsed!.Value));
            Assert.True(KeyFingerprint.IsFingerprint(s.Fingerprint));
        }

        Assert.Equal(0, await h.Ledger.ScalarAsync<long>($"SELECT COUNT(*) FROM models WHERE account = '{Account}'"));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>($"SELECT COUNT(*) FROM credit_balances WHERE account = '{Account}'"));
        Assert.Equal(1, await h.Ledger.ScalarAsync<long>($"SELECT COUNT(*) FROM pull_runs WHERE account = '{Account}' AND endpoint = 'inventory' AND outcome = 'ok' AND records = 2"));
    }

    [Fact]
    public async Task PullAllAsync_BlockedKeyWithoutTeam_StoredDisabledWithEmptyWorkspace()
    {
        await using var h = await PullHarness.StartAsync(days: 3, accounts: LiteLLM);
        h.Server.Faults.Add("/litellm/key/info", new FakeFault(200, """
            {"key":"ignored","info":{"key_name":"sk-...Zz9q","key_alias":null,"team_id":null,"blocked":true,"spend":0.0,
             "created_at":"2026-01-05T08:00:00+00:00","expires":null,"last_active":null,"unknown":{"a":1}}}
            """));

        await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None);

        var blocked = (await h.Ledger.QueryAsync<(string KeyId, string Workspace, string Status, string LastFour, string Name)>(
            $"SELECT key_id, workspace, status, last_four, name FROM api_keys WHERE account = '{Account}' AND status <> 'active'")).Single();
        Assert.Equal(("", "disabled", "Zz9q", "sk-...Zz9q"), (blocked.Workspace, blocked.Status, blocked.LastFour, blocked.Name));
    }

    private static DateTimeOffset Utc(string text) =>
        DateTimeOffset.ParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>
    /// Ledger totals per team, key, model and UTC day equal the scenario's: tokens, requests (rows) and cost. Logged hours
    /// are hourly records (each rounded to the micro); what the log no longer holds is one day record per day.
    /// </summary>
    private static async Task AssertLedgerEqualsTruthAsync(PullHarness h)
    {
        var retained = FakeLiteLLMEndpoints.RetainedFrom(h.Scenario);
        var truth = h.Scenario.Hours.Where(x => x.Provider == DemoScenario.LiteLLM)
            .GroupBy(x => (x.Workspace, x.KeyId, x.Model, Day: x.HourStart.ToUnixTimeSeconds() / 86400))
            .ToDictionary(g => g.Key, g => (
                Input: g.Sum(x => x.InputTokens), Cached: g.Sum(x => x.CachedInputTokens), Write: g.Sum(x => x.CacheWriteTokens),
                Output: g.Sum(x => x.OutputTokens), Reasoning: g.Sum(x => x.ReasoningTokens), Requests: (long)g.Sum(FakeLiteLLMEndpoints.RowCount),
                Cost: g.Where(x => x.HourStart >= retained).Sum(x => MoneyUnits.ToMicros(h.Scenario.CostOf(x)))
                      + MoneyUnits.ToMicros(g.Where(x => x.HourStart < retained).Sum(h.Scenario.CostOf))));
        var ledger = (await h.Ledger.QueryAsync<(string Workspace, string KeyId, string Model, long Day, long Input, long Cached, long Write, long Output, long Reasoning, long Requests, long Cost)>(
            $"""
            SELECT workspace, key_id, model, bucket_start / 86400, SUM(input_tokens), SUM(cached_input_tokens), SUM(cache_write_tokens),
                   SUM(output_tokens), SUM(reasoning_tokens), SUM(requests), SUM(cost_micros)
            FROM usage_records WHERE account = '{Account}' GROUP BY 1, 2, 3, 4
            """)).ToDictionary(r => (r.Workspace, r.KeyId, r.Model, r.Day));

        Assert.Equal(truth.Keys.OrderBy(k => k.ToString()), ledger.Keys.OrderBy(k => k.ToString()));
        foreach (var (key, t) in truth)
        {
            var l = ledger[key];
            Assert.Equal(t, (l.Input, l.Cached, l.Write, l.Output, l.Reasoning, l.Requests, l.Cost));
        }
    }
}
