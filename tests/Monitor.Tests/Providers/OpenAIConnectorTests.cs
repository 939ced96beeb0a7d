using Monitor.Demo;
using Monitor.Tests.Support;

namespace Monitor.Tests.Providers;

/// <summary>How the OpenAI connector and the pull path behave when the API misbehaves, over real HTTP.</summary>
public sealed class OpenAIConnectorTests
{
    private const string Completions = "/openai/v1/organization/usage/completions";
    private static readonly (string, string)[] OpenAIOnly = [("openai", "OpenAI")];

    [Fact]
    public async Task Pull_429WithRetryAfter_WaitsThenSucceeds()
    {
        await using var h = await PullHarness.StartAsync(days: 7, accounts: OpenAIOnly);
        h.Server.Faults.Add(Completions, FakeFault.TooManyRequests(retryAfterSeconds: 1));

        var result = (await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        var calls = h.Server.Faults.Log.Where(l => l.PathAndQuery.StartsWith(Completions, StringComparison.Ordinal)).ToList();
        Assert.Equal(429, calls[0].Status);
        Assert.Equal(200, calls[1].Status);
        Assert.True(calls[1].At - calls[0].At >= TimeSpan.FromMilliseconds(950), $"retried after {(calls[1].At - calls[0].At).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Pull_500ThenSuccess_WritesEverythingOnce()
    {
        await using var clean = await PullHarness.StartAsync(days: 7, accounts: OpenAIOnly);
        await clean.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None);
        await using var h = await PullHarness.StartAsync(days: 7, accounts: OpenAIOnly);
        h.Server.Faults.Add("/openai/v1/organization/costs", FakeFault.ServerError(), times: 2);

        var result = (await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        const string totals = "SELECT COUNT(*) || ':' || SUM(input_tokens) || ':' || SUM(cost_micros) FROM usage_records";
        Assert.Equal(await clean.Ledger.ScalarAsync<string>(totals), await h.Ledger.ScalarAsync<string>(totals));
    }

    [Fact]
    public async Task Pull_MalformedJson_FailsNamingEndpoint_WritesNothing_WatermarkStays()
    {
        await using var h = await PullHarness.StartAsync(days: 7, accounts: OpenAIOnly);
        h.Server.Faults.Add(Completions, FakeFault.MalformedJson());

        var result = (await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains("GET /v1/organization/usage/completions", result.Error, StringComparison.Ordinal);
        Assert.Contains("malformed JSON", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records"));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM watermarks"));
        Assert.Equal(1, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM pull_runs WHERE outcome = 'failed' AND endpoint = 'GET /v1/organization/usage/completions'"));
    }

    [Fact]
    public async Task Pull_UnknownFieldsAndNullGroupKeys_AreToleratedAndMappedToEmpty()
    {
        await using var h = await PullHarness.StartAsync(days: 7, accounts: OpenAIOnly);
        var day = h.Scenario.End.AddDays(-1);
        var start = new DateTimeOffset(day.Year, day.Month, day.Day, 3, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        h.Server.Faults.Add(Completions, new FakeFault(200, $$"""
            {"object":"page","has_more":false,"next_page":null,"x_new_envelope_field":{"a":1},
             "data":[{"object":"bucket","start_time":{{start}},"end_time":{{start + 3600}},"results":[
               {"object":"organization.usage.completions.result","input_tokens":1000,"input_cached_tokens":200,"output_tokens":50,
                "num_model_requests":4,"project_id":null,"user_id":null,"api_key_id":null,"model":"gpt-4o-mini-2024-07-18",
                "batch":null,"service_tier":null,"x_brand_new_metric":12345}]}]}
            """));

        var result = (await h.Pulls.PullAllAsync(null, h.Scenario.End.AddDays(-1), h.Scenario.End, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        var row = (await h.Ledger.QueryAsync<(long Input, long Cached, long Requests)>(
            "SELECT input_tokens, cached_input_tokens, requests FROM usage_records WHERE workspace = '' AND key_id = '' AND bucket_start = @start AND bucket_width = '1h'",
            new { start })).Single();
        Assert.Equal((800L, 200L, 4L), row);
    }

    [Fact]
    public async Task Pull_SeveralPages_WalksToTheEnd()
    {
        // Chunks of 10 days are 240 hourly buckets: more than the 168 of one page.
        await using var h = await PullHarness.StartAsync(days: 30, accounts: OpenAIOnly, settings: new Dictionary<string, string?> { ["Monitor:Pull:ChunkSize"] = "10.00:00:00" });

        await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None);

        Assert.Contains(h.Server.Faults.Log, l => l.PathAndQuery.StartsWith(Completions, StringComparison.Ordinal) && l.PathAndQuery.Contains("&page=", StringComparison.Ordinal));
        var hours = h.Scenario.Hours.Where(x => x.Provider == DemoScenario.OpenAI).Sum(x => x.InputTokens);
        Assert.Equal(hours, await h.Ledger.ScalarAsync<long>("SELECT SUM(input_tokens) FROM usage_records"));
    }
}
