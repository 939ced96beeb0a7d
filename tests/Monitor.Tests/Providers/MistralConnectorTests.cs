using Monitor.Demo;
using Monitor.Tests.Support;

namespace Monitor.Tests.Providers;

/// <summary>The Mistral connector's failures over real HTTP against the demo fake: refused keys, retries, malformed answers.</summary>
public sealed class MistralConnectorTests
{
    private const string Usage = "/mistral/v1/admin/usage";
    private static readonly (string, string)[] MistralOnly = [("mistral", "Mistral")];

    [Fact]
    public async Task Pull_DemoScenario_EveryWorkspaceArchivedIncluded_NothingOutside()
    {
        await using var h = await PullHarness.StartAsync(days: 30, accounts: MistralOnly);

        var result = (await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        var workspaces = h.Scenario.Workspaces.Where(w => w.Provider == DemoScenario.Mistral).Select(w => w.Id).Order(StringComparer.Ordinal);
        Assert.Equal(workspaces, await h.Ledger.QueryAsync<string>("SELECT DISTINCT workspace FROM usage_records ORDER BY workspace"));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records WHERE bucket_width <> '1d' OR cost_source <> 'reported'"));
        Assert.Empty(await h.Ledger.QueryAsync<string>("SELECT path FROM provider_drift"));
    }

    [Fact]
    public async Task Pull_MissingCurrency_FailsNamingTheField_AndWritesNothing()
    {
        await using var h = await PullHarness.StartAsync(days: 7, accounts: MistralOnly);
        h.Server.Faults.Add(Usage, new FakeFault(200, Fixture.Load("mistral/usage-data-science.json").Body.Replace("\"currency\": \"EUR\",", "", StringComparison.Ordinal)));

        var result = (await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains("GET /v1/admin/usage: unexpected response: currency: missing, and Monitor:Providers:*:Currency is not set", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records"));
    }

    [Fact]
    public async Task Pull_MissingCurrency_TheConfiguredCurrencyIsUsed()
    {
        await using var h = await PullHarness.StartAsync(days: 7, accounts: MistralOnly,
            settings: new Dictionary<string, string?> { ["Monitor:Providers:0:Currency"] = "EUR" });
        h.Server.Faults.Add(Usage, new FakeFault(200, Fixture.Load("mistral/usage-data-science.json").Body.Replace("\"currency\": \"EUR\",", "", StringComparison.Ordinal)));

        var result = (await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        Assert.Equal(["EUR"], await h.Ledger.QueryAsync<string>("SELECT DISTINCT currency FROM usage_records"));
    }

    [Fact]
    public async Task Pull_MalformedJson_FailsNamingTheEndpoint_AndWritesNothing()
    {
        await using var h = await PullHarness.StartAsync(days: 7, accounts: MistralOnly);
        h.Server.Faults.Add(Usage, FakeFault.MalformedJson());

        var result = (await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains("GET /v1/admin/usage: malformed JSON", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records"));
    }

    [Fact]
    public async Task Pull_401_UsesMistralsBodyAndStopsTheAccount()
    {
        await using var h = await PullHarness.StartAsync(days: 7, accounts: MistralOnly, keyOverride: "not-the-key");

        var result = (await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains("mistral-test (Mistral) GET /v1/admin/api-keys: HTTP 401 Unauthorized: {\"detail\":\"Unauthorized\"}", result.Error, StringComparison.Ordinal);
        // The refused admin key is not tried on the spend limit or usage; the model list has its own key (here as wrong).
        Assert.Single(h.Server.Faults.Log, l => l.Status == 401 && l.PathAndQuery.StartsWith("/mistral/v1/admin/", StringComparison.Ordinal));
        await h.AssertRejectedWithoutTraceAsync("not-the-key");
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

    [Fact]
    public async Task Pull_WorkspaceListingRepeatsItsPage_FailsNamingTheEndpoint()
    {
        await using var h = await PullHarness.StartAsync(days: 7, accounts: MistralOnly);
        // A server that ignores `page`: the same full page of 100 every time, with more announced.
        var items = string.Join(',', Enumerable.Range(0, 100).Select(i => $$"""{"uuid":"00000000-0000-4000-8000-{{i:D12}}","name":"w{{i}}","description":null,"icon":null,"is_default":false}"""));
        h.Server.Fixtures.Serve("/mistral/v1/admin/workspaces", $$"""{"total":500,"items":[{{items}}],"object":"list","page":1,"page_size":100}""");

        var result = (await h.Pulls.PullAllAsync(null, null, null, null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains("GET /v1/admin/workspaces: paging made no progress", result.Error, StringComparison.Ordinal);
        Assert.Equal(2, h.Server.Faults.Log.Count(l => l.PathAndQuery.StartsWith("/mistral/v1/admin/workspaces", StringComparison.Ordinal)));
    }
}
