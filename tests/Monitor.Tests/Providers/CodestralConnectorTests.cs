using Monitor.Demo;
using Monitor.Tests.Support;

namespace Monitor.Tests.Providers;

/// <summary>The Codestral connector over real HTTP against the fake Codestral domain: a key check and a model list, no usage.</summary>
public sealed class CodestralConnectorTests
{
    private const string Account = "codestral-test";
    private static readonly (string Prefix, string Kind)[] Codestral = [("codestral", "Codestral")];

    [Fact]
    public async Task PullAllAsync_ModelCards_StoresModelsWithDeprecationsAndWritesNoUsage()
    {
        await using var h = await PullHarness.StartAsync(days: 3, accounts: Codestral);

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        Assert.Equal(0, result.Records);
        Assert.Equal(6, await h.Ledger.ScalarAsync<long>($"SELECT COUNT(*) FROM models WHERE account = '{Account}' AND provider = 'codestral'"));
        Assert.Equal("codestral-latest", await h.Ledger.ScalarAsync<string>($"SELECT aliases FROM models WHERE account = '{Account}' AND model = 'codestral-2508'"));
        Assert.Equal("mistral-medium-3-5", await h.Ledger.ScalarAsync<string>($"SELECT replacement FROM models WHERE account = '{Account}' AND model = 'mistral-medium-2505' AND shutdown_at IS NOT NULL"));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records"));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM watermarks"));
        Assert.DoesNotContain(h.Server.Faults.Log, l => !l.PathAndQuery.StartsWith("/codestral/v1/models", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PullAllAsync_WrongKey_FailsNamingProviderEndpointAndStatus()
    {
        await using var h = await PullHarness.StartAsync(days: 3, keyOverride: "wrong-codestral-key-0123456789abcdef", accounts: Codestral);

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains("codestral-test (Codestral) GET /v1/models: HTTP 401", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM models"));
        Assert.All(await h.Ledger.QueryAsync<string>("SELECT error FROM pull_runs"), e => Assert.DoesNotContain("0123456789abcdef", e, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PullAllAsync_MalformedModelList_FailsNamingTheEndpointAndStoresNothing()
    {
        await using var h = await PullHarness.StartAsync(days: 3, accounts: Codestral);
        h.Server.Faults.Add("/codestral/v1/models", FakeFault.MalformedJson());

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains("GET /v1/models: malformed JSON", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM models"));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records"));
    }
}
