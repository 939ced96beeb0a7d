using Monitor.Demo;
using Monitor.Tests.Support;

namespace Monitor.Tests.Providers;

/// <summary>The OpenAI-compatible connector over real HTTP against a fake OpenAI-format server: key check and models, no usage.</summary>
public sealed class OpenAICompatibleConnectorTests
{
    private const string Account = "compatible-test";
    private static readonly (string Prefix, string Kind)[] Compatible = [("compatible", "OpenAICompatible")];

    [Theory]
    [InlineData("")]
    [InlineData("/v1")]
    public async Task PullAllAsync_ModelList_StoresModelsWithShutdownDateAndWritesNoUsage(string baseSuffix)
    {
        await using var h = await PullHarness.StartAsync(days: 3, accounts: Compatible);
        // A base URL ending in /v1 (as OpenAI clients are configured): a second ledger pointed at the same fake and key.
        await using var withSuffix = baseSuffix.Length == 0 ? null : await PullHarness.StartAsync(
            days: 3, keyOverride: Environment.GetEnvironmentVariable(h.KeyVariable), accounts: Compatible,
            settings: new Dictionary<string, string?> { ["Monitor:Providers:0:BaseUrl"] = h.Server.BaseUrlOf("compatible") + baseSuffix });
        var harness = withSuffix ?? h;

        var result = (await harness.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        var models = (await harness.Ledger.QueryAsync<(string Model, string Provider, long? Shutdown)>(
            $"SELECT model, provider, shutdown_at FROM models WHERE account = '{Account}'")).ToDictionary(m => m.Model);
        Assert.Equal(["codestral-latest", "mistral-small-latest", FakeCompatibleEndpoints.Retiring], models.Keys.Order(StringComparer.Ordinal));
        Assert.All(models.Values, m => Assert.Equal("openai_compatible", m.Provider));
        var shutdown = new DateTimeOffset(PullHarness.Now.UtcDateTime.Date.AddDays(30), TimeSpan.Zero);
        Assert.Equal(shutdown.ToUnixTimeSeconds(), models[FakeCompatibleEndpoints.Retiring].Shutdown);
        Assert.Null(models["mistral-small-latest"].Shutdown);
        Assert.Equal(0, await harness.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records"));
        Assert.Equal(0, await harness.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM watermarks"));
    }

    [Fact]
    public async Task PullAllAsync_WrongKey_FailsNamingProviderEndpointAndStatus()
    {
        await using var h = await PullHarness.StartAsync(days: 3, keyOverride: "sk-wrong-compatible-0123456789abcdef", accounts: Compatible);

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains("compatible-test (OpenAICompatible) GET /v1/models: HTTP 401", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM models"));
        Assert.All(await h.Ledger.QueryAsync<string>("SELECT error FROM pull_runs"), e => Assert.DoesNotContain("0123456789abcdef", e, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PullAllAsync_MalformedModelList_FailsNamingTheEndpointAndStoresNothing()
    {
        await using var h = await PullHarness.StartAsync(days: 3, accounts: Compatible);
        h.Server.Faults.Add("/compatible/v1/models", FakeFault.MalformedJson());

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.False(result.Ok);
        Assert.Contains("GET /v1/models: malformed JSON", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM models"));
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records"));
    }
}
