using System.Text.Json.Nodes;
using Monitor.Hosting;
using Monitor.Providers;
using Monitor.Tests.Support;

namespace Monitor.Tests.Providers;

/// <summary>The Codestral connector against the recorded model list (tests/Fixtures/codestral), over real HTTP.</summary>
public sealed class CodestralContractTests
{
    private const string Account = "codestral-test";
    private static readonly (string Prefix, string Kind)[] Codestral = [("codestral", "Codestral")];

    [Fact]
    public async Task Pull_FixtureModels_StoredWithAliasesAndShutdownDates_NoUsage()
    {
        await using var h = await PullHarness.StartAsync(days: 3, accounts: Codestral);
        h.Server.Fixtures.Serve("/codestral/v1/models", Fixture.Load("codestral/models.json").Body);

        var result = (await h.Pulls.PullAllAsync(Account, null, null, null, CancellationToken.None)).Single();

        Assert.True(result.Ok, result.Error);
        var models = await h.Ledger.QueryAsync<(string Model, string Aliases, long? Shutdown, string? Replacement)>(
            "SELECT model, aliases, shutdown_at, replacement FROM models WHERE account = @a ORDER BY model", new { a = Account });
        Assert.Equal(
            [
                ("codestral-2501", "", new DateTimeOffset(2026, 12, 31, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), "codestral-2508"),
                ("codestral-2508", "codestral-latest", (long?)null, (string?)null),
            ],
            models);
        Assert.Equal(0, await h.Ledger.ScalarAsync<long>("SELECT COUNT(*) FROM usage_records"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/v1")]
    [InlineData("/v1/")]
    public async Task Pull_BaseUrlAsPasted_BareArrayOrList_Works(string suffix)
    {
        await using var h = await PullHarness.StartAsync(days: 3, accounts: Codestral);
        // The spec's own example of GET /v1/models is a bare array of cards.
        var cards = JsonNode.Parse(Fixture.Load("codestral/models.json").Body)!["data"]!.ToJsonString();
        h.Server.Fixtures.Serve("/codestral/v1/models", cards);
        var account = new ProviderOptions { Name = Account, Kind = "Codestral", BaseUrl = h.Server.BaseUrlOf("codestral") + suffix, ApiKeyEnv = h.KeyVariable };

        var inventory = await h.Get<ConnectorFactory>().Create(account).PullInventoryAsync(CancellationToken.None);

        Assert.Equal(["codestral-2501", "codestral-2508"], inventory.Models!.Select(m => m.Model).Order(StringComparer.Ordinal));
    }
}
