using Monitor.Tests.Support;

namespace Monitor.Tests.Providers;

/// <summary>The OpenAI-compatible connector against tests/Fixtures/compatible, with the base URL as users paste it.</summary>
public sealed class OpenAICompatibleContractTests
{
    private const string Account = "compatible-test";
    private static readonly (string Prefix, string Kind)[] Compatible = [("compatible", "OpenAICompatible")];

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("/v1")]
    [InlineData("/v1/")]
    public async Task PullAllAsync_BaseUrlWithOrWithoutTheVersion_ListsTheFixturesModelsFromV1Models(string pasted)
    {
        await using var fake = await PullHarness.StartAsync(days: 3, accounts: Compatible);
        fake.Server.Fixtures.Serve("/compatible/v1/models", Fixture.Load("compatible/models.json").Body);
        // A second ledger pointed at the same fake and key, with the base URL as pasted.
        await using var h = await PullHarness.StartAsync(
            days: 3, keyOverride: Environment.GetEnvironmentVariable(fake.KeyVariable), accounts: Compatible,
            settings: new Dictionary<string, string?> { ["Monitor:Providers:0:BaseUrl"] = fake.Server.BaseUrlOf("compatible") + pasted });

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        Assert.Equal(["model-id-0", "model-id-1", "model-id-2"],
            await h.Ledger.QueryAsync<string>("SELECT model FROM models WHERE account = @Account ORDER BY model", new { Account }));
        Assert.All(fake.Server.Faults.Log, l => Assert.Equal("/compatible/v1/models", l.PathAndQuery));
    }
}
