using Monitor.Core.Pricing;
using Monitor.Core.Usage;
using Monitor.Pricing;
using Monitor.Tests.Support;

namespace Monitor.Tests.Pricing;

public sealed class PriceCatalogLoaderTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempLedger _dir = new();

    [Fact]
    public void Load_Shipped_HasMistralOpenAIAndAnthropicPrices()
    {
        var catalog = PriceCatalogLoader.Load((string?)null);

        Assert.Equal(0.44m, catalog.Find(ProviderKind.Mistral, "mistral-large-latest", Currency.EUR, At)?.InputPerMillion);
        Assert.Equal(2.00m, catalog.Find(ProviderKind.OpenAI, "gpt-4.1-2025-04-14", Currency.USD, At)?.InputPerMillion);
        Assert.Equal(3.00m, catalog.Find(ProviderKind.Anthropic, "claude-sonnet-4-20250514", Currency.USD, At)?.InputPerMillion);
    }

    [Fact]
    public void Load_Override_WinsForSameModelCurrencyAndDate_AndAddsNewModels()
    {
        var file = _dir.File("prices.json", """
            { "prices": [
              { "provider": "Mistral", "model": "mistral-large-2512", "currency": "EUR", "effective_from": "2025-12-02", "input": 0.40, "output": 1.20 },
              { "provider": "OpenAI", "model": "our-finetune", "currency": "USD", "effective_from": "2026-01-01", "input": 1, "output": 2 } ] }
            """);

        var catalog = PriceCatalogLoader.Load(file);

        Assert.Equal(0.40m, catalog.Find(ProviderKind.Mistral, "mistral-large-2512", Currency.EUR, At)?.InputPerMillion);
        Assert.Equal(0.50m, catalog.Find(ProviderKind.Mistral, "mistral-large-2512", Currency.USD, At)?.InputPerMillion);
        Assert.Equal(1m, catalog.Find(ProviderKind.OpenAI, "our-finetune", Currency.USD, At)?.InputPerMillion);
    }

    [Fact]
    public void Load_Shipped_HasTierPricesApartFromTheStandardOnes()
    {
        var catalog = PriceCatalogLoader.Load((string?)null);

        Assert.Equal(2.50m, catalog.Find(ProviderKind.OpenAI, "gpt-5", Currency.USD, At, "priority")?.InputPerMillion);
        Assert.Equal(1.25m, catalog.Find(ProviderKind.OpenAI, "gpt-5", Currency.USD, At)?.InputPerMillion);
        Assert.Equal(6.00m, catalog.Find(ProviderKind.Anthropic, "claude-sonnet-4-5-20250929", Currency.USD, At, "long_context")?.InputPerMillion);
        Assert.Equal(1.00m, catalog.Find(ProviderKind.Anthropic, "claude-haiku-4-5", Currency.USD, At, "long_context")?.InputPerMillion); // no tier price: standard
    }

    [Theory]
    [InlineData("""{ "prices": [ { "provider": "OpenAI", "model": "m", "tier": "Priority!", "currency": "USD", "effective_from": "2026-01-01", "input": 1 } ] }""", "prices.json: prices[0].tier: expected a lower-case tier name such as priority or long_context")]
    [InlineData("""{ "prices": [ { "provider": "Mistral", "model": "m", "currency": "GBP", "effective_from": "2026-01-01", "input": 1 } ] }""", "prices.json: prices[0].currency: 'GBP' is not USD or EUR")]
    [InlineData("""{ "prices": [ { "provider": "Mistral", "model": "m", "currency": "EUR", "effective_from": "01/02/2026", "input": 1 } ] }""", "prices.json: prices[0].effective_from: '01/02/2026' is not a date (yyyy-MM-dd)")]
    [InlineData("""{ "prices": [ { "provider": "Mistral", "model": "m", "currency": "EUR", "effective_from": "2026-01-01", "input": -1 } ] }""", "prices.json: prices[0].input: expected a non-negative number (per 1M tokens)")]
    [InlineData("""{ "price": [] }""", "prices.json: prices: expected an array of price entries")]
    public void Load_BadOverride_NamesFileEntryAndField(string json, string expected)
    {
        var file = _dir.File("prices.json", json);

        var error = Assert.Throws<BadInputException>(() => PriceCatalogLoader.Load(file));

        Assert.Equal(expected, error.Message.Replace(_dir.Folder + "/", "", StringComparison.Ordinal));
    }

    public void Dispose() => _dir.Dispose();
}
