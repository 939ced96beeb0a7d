using Monitor.Demo;
using Monitor.Tests.Support;

namespace Monitor.Tests.Providers;

/// <summary>The Mistral connector's lenient reading of the (unverified) usage rows, and its failures, over real HTTP.</summary>
public sealed class MistralConnectorTests
{
    private const string Usage = "/mistral/v1/admin/usage";
    private static readonly (string, string)[] MistralOnly = [("mistral", "Mistral")];

    [Fact]
    public async Task Pull_RowsWithNothingRecognisable_FailLoudlyNamingTheField_AndWriteNothing()
    {
        await using var h = await PullHarness.StartAsync(days: 7, accounts: MistralOnly);
        h.Server.Faults.Add(Usage, new FakeFault(200, """
            {"completion":{"models":{"mistral-large-2512":{"weird_group":[{"flux":"lots","zorg":true}]}}},
             "currency":"EUR","date":"2026-11-01T00:00:00Z"}
            """));

        var result = (await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains("GET /v1/admin/usage", result.Error, StringComparison.Ordinal);
        Assert.Contains("completion.models.mistral-large-2512.weird_group", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records"));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_snapshots"));
    }

    [Fact]
    public async Task Pull_UnknownRowsBesideKnownOnes_AreKeptRawAndTheKnownCounted()
    {
        await using var h = await PullHarness.StartAsync(days: 7, accounts: MistralOnly);
        h.Server.Faults.Add(Usage, new FakeFault(200, """
            {"completion":{"models":{"mistral-small-2603":{
                "input":[{"billing_metric":"input_tokens","value":1000,"amount":"0.00012"}],
                "output":[{"billing_metric":"output_tokens","value":"500","amount":0.00025}],
                "moon_units":[{"billing_metric":"lunar_seconds","quantity_of_moons":3}]}}},
             "ocr":{"models":{}},"currency":"EUR","some_future_field":[1,2,3]}
            """), times: 3); // every workspace of the month sees the same body

        var result = (await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        var rows = await h.Ledger.QueryAsync<(long Input, long Output, long Cost, string Raw)>(
            "SELECT input_tokens, output_tokens, cost_micros, raw FROM usage_records WHERE model = 'mistral-small-2603' AND bucket_width = 'month' AND raw IS NOT NULL");
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Equal((1000L, 500L, 370L), (r.Input, r.Output, r.Cost)));
        Assert.All(rows, r => Assert.Contains("lunar_seconds", r.Raw, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pull_MissingCurrency_FailsNamingTheField()
    {
        await using var h = await PullHarness.StartAsync(days: 7, accounts: MistralOnly);
        h.Server.Faults.Add(Usage, new FakeFault(200, """{"completion":{"models":{}}}"""));

        var result = (await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains("currency", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pull_401_UsesMistralsBodyAndStopsTheAccount()
    {
        await using var h = await PullHarness.StartAsync(days: 7, accounts: MistralOnly, keyOverride: "not-the-key");

        var result = (await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains("mistral-test (Mistral) GET /v1/admin/api-keys: HTTP 401 Unauthorized", result.Error, StringComparison.Ordinal);
        Assert.Equal(1, h.Server.Faults.Log.Count(l => l.Status == 401)); // stopped after the first refusal
    }

    [Fact]
    public async Task Pull_503ThenSuccess_RetriesAndSucceeds()
    {
        await using var h = await PullHarness.StartAsync(days: 7, accounts: MistralOnly);
        h.Server.Faults.Add("/mistral/v1/admin/workspaces", new FakeFault(503, """{"object":"error","message":"overloaded","type":"server_error"}"""));

        var result = (await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        Assert.True(await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records") > 0);
        Assert.Contains(h.Server.Faults.Log, l => l.Status == 503);
    }
}
