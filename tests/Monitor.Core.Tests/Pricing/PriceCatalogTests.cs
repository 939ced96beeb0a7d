using Monitor.Core.Pricing;
using Monitor.Core.Usage;

namespace Monitor.Core.Tests.Pricing;

public sealed class PriceCatalogTests
{
    private static readonly PriceCatalog Catalog = new(
    [
        Price(ProviderKind.Mistral, "mistral-large-2411", Currency.USD, "2024-11-18", 2.00m, 6.00m, aliases: ["mistral-large-latest"]),
        Price(ProviderKind.Mistral, "mistral-large-2512", Currency.USD, "2025-12-02", 0.50m, 1.50m, aliases: ["mistral-large-latest"]),
        Price(ProviderKind.Mistral, "mistral-large-2512", Currency.EUR, "2025-12-02", 0.44m, 1.30m, aliases: ["mistral-large-latest"]),
        Price(ProviderKind.Mistral, "mistral-medium-2505", Currency.USD, "2025-05-07", 0.40m, 2.00m),
        Price(ProviderKind.OpenAI, "gpt-4o-mini", Currency.USD, "2024-07-18", 0.15m, 0.60m, cached: 0.075m),
        Price(ProviderKind.OpenAI, "text-embedding-3-small", Currency.USD, "2024-01-25", 0.02m, null),
        Price(ProviderKind.Anthropic, "claude-sonnet-4", Currency.USD, "2025-05-22", 3.00m, 15.00m),
        Price(ProviderKind.Anthropic, "claude-sonnet-4", Currency.USD, "2025-08-12", 6.00m, 22.50m) with { Tier = "long_context" },
    ]);

    private static readonly TokenCounts OneMillionEach = new(1_000_000, 0, 0, 1_000_000, 0);

    [Fact]
    public void Estimate_AcrossEffectiveDateChange_UsesPriceInForceAtBucketTime()
    {
        var before = Catalog.Estimate(ProviderKind.Mistral, "mistral-large-latest", Currency.USD, At("2025-12-01T23:00:00Z"), OneMillionEach);
        var after = Catalog.Estimate(ProviderKind.Mistral, "mistral-large-latest", Currency.USD, At("2025-12-02T00:00:00Z"), OneMillionEach);

        Assert.Equal(8.00m, before);
        Assert.Equal(2.00m, after);
    }

    [Fact]
    public void Find_BeforeFirstPrice_IsUnpriced()
    {
        Assert.Null(Catalog.Find(ProviderKind.Mistral, "mistral-large-2512", Currency.USD, At("2025-11-30T00:00:00Z")));
    }

    [Fact]
    public void Estimate_EurAndUsd_AreKeptApartAndNeverConverted()
    {
        var eur = Catalog.Estimate(ProviderKind.Mistral, "mistral-large-2512", Currency.EUR, At("2026-01-10T00:00:00Z"), OneMillionEach);
        var usd = Catalog.Estimate(ProviderKind.Mistral, "mistral-large-2512", Currency.USD, At("2026-01-10T00:00:00Z"), OneMillionEach);
        var noEurPrice = Catalog.Estimate(ProviderKind.Mistral, "mistral-medium-2505", Currency.EUR, At("2026-01-10T00:00:00Z"), OneMillionEach);

        Assert.Equal(1.74m, eur);
        Assert.Equal(2.00m, usd);
        Assert.Null(noEurPrice);
    }

    [Fact]
    public void Estimate_UnknownModel_IsNullNotZero()
    {
        Assert.Null(Catalog.Estimate(ProviderKind.OpenAI, "gpt-9-ultra", Currency.USD, At("2026-01-10T00:00:00Z"), OneMillionEach));
    }

    [Fact]
    public void Estimate_OutputTokensOnInputOnlyPrice_IsUnpriced()
    {
        Assert.Equal(0.02m, Catalog.Estimate(ProviderKind.OpenAI, "text-embedding-3-small", Currency.USD, At("2026-01-10T00:00:00Z"), new TokenCounts(1_000_000, 0, 0, 0, 0)));
        Assert.Null(Catalog.Estimate(ProviderKind.OpenAI, "text-embedding-3-small", Currency.USD, At("2026-01-10T00:00:00Z"), OneMillionEach));
    }

    [Fact]
    public void Find_DatedSnapshotName_BillsAsItsFamily()
    {
        var price = Catalog.Find(ProviderKind.OpenAI, "gpt-4o-mini-2024-07-18", Currency.USD, At("2026-01-10T00:00:00Z"));
        var anthropic = Catalog.Find(ProviderKind.Anthropic, "claude-sonnet-4-20250514", Currency.USD, At("2026-01-10T00:00:00Z"));

        Assert.Equal("gpt-4o-mini", price?.Model);
        Assert.Equal("claude-sonnet-4", anthropic?.Model);
    }

    [Fact]
    public void Find_MistralShortDatedIds_AreDistinctModels()
    {
        // mistral-large-2411 must not be read as "mistral-large" with a date: it has its own price.
        Assert.Equal(2.00m, Catalog.Find(ProviderKind.Mistral, "mistral-large-2411", Currency.USD, At("2026-01-10T00:00:00Z"))?.InputPerMillion);
    }

    [Fact]
    public void Estimate_CachedInput_FollowsProviderRules()
    {
        var cachedMillion = new TokenCounts(0, 1_000_000, 0, 0, 0);
        var writeMillion = new TokenCounts(0, 0, 1_000_000, 0, 0);

        // Mistral: cached at 10% of input. OpenAI: the listed cached price. Anthropic: writes at 125%.
        Assert.Equal(0.05m, Catalog.Estimate(ProviderKind.Mistral, "mistral-large-2512", Currency.USD, At("2026-01-10T00:00:00Z"), cachedMillion));
        Assert.Equal(0.075m, Catalog.Estimate(ProviderKind.OpenAI, "gpt-4o-mini", Currency.USD, At("2026-01-10T00:00:00Z"), cachedMillion));
        Assert.Equal(0.30m, Catalog.Estimate(ProviderKind.Anthropic, "claude-sonnet-4", Currency.USD, At("2026-01-10T00:00:00Z"), cachedMillion));
        Assert.Equal(3.75m, Catalog.Estimate(ProviderKind.Anthropic, "claude-sonnet-4", Currency.USD, At("2026-01-10T00:00:00Z"), writeMillion));
    }

    [Fact]
    public void Estimate_Batch_GetsProviderDiscount()
    {
        var full = Catalog.Estimate(ProviderKind.OpenAI, "gpt-4o-mini", Currency.USD, At("2026-01-10T00:00:00Z"), OneMillionEach);
        var batch = Catalog.Estimate(ProviderKind.OpenAI, "gpt-4o-mini", Currency.USD, At("2026-01-10T00:00:00Z"), OneMillionEach, batch: true);

        Assert.Equal(0.75m, full);
        Assert.Equal(0.375m, batch);
    }

    [Fact]
    public void Find_Codestral_IsPricedAsMistral()
    {
        Assert.NotNull(Catalog.Find(ProviderKind.Codestral, "mistral-large-2512", Currency.EUR, At("2026-01-10T00:00:00Z")));
    }

    [Fact]
    public void Constructor_LaterEntryForSameDate_Overrides()
    {
        var catalog = new PriceCatalog(
        [
            Price(ProviderKind.OpenAI, "gpt-4o-mini", Currency.USD, "2024-07-18", 0.15m, 0.60m),
            Price(ProviderKind.OpenAI, "gpt-4o-mini", Currency.USD, "2024-07-18", 0.10m, 0.40m),
        ]);

        Assert.Equal(0.10m, catalog.Find(ProviderKind.OpenAI, "gpt-4o-mini", Currency.USD, At("2026-01-10T00:00:00Z"))?.InputPerMillion);
    }

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Estimate_TierWithItsOwnPrice_UsesIt_AndStacksCachingAndBatch()
    {
        var at = At("2026-01-10T00:00:00Z");

        var standard = Catalog.Estimate(ProviderKind.Anthropic, "claude-sonnet-4-20250514", Currency.USD, at, OneMillionEach);
        var longContext = Catalog.Estimate(ProviderKind.Anthropic, "claude-sonnet-4-20250514", Currency.USD, at, OneMillionEach, tier: "long_context");
        var longBatch = Catalog.Estimate(ProviderKind.Anthropic, "claude-sonnet-4", Currency.USD, at, new TokenCounts(0, 1_000_000, 1_000_000, 0, 0), batch: true, tier: "long_context");

        Assert.Equal(18.00m, standard);
        Assert.Equal(28.50m, longContext);           // 6.00 + 22.50
        Assert.Equal((0.60m + 7.50m) / 2, longBatch); // cache read 10% and write 125% of the long-context input, batch half
    }

    [Fact]
    public void Estimate_TierWithoutAPrice_IsTheStandardPrice_AndBeforeTheTierPriceToo()
    {
        Assert.Equal(18.00m, Catalog.Estimate(ProviderKind.Anthropic, "claude-sonnet-4", Currency.USD, At("2026-01-10T00:00:00Z"), OneMillionEach, tier: "priority"));
        Assert.Equal(18.00m, Catalog.Estimate(ProviderKind.Anthropic, "claude-sonnet-4", Currency.USD, At("2025-06-01T00:00:00Z"), OneMillionEach, tier: "long_context"));
        Assert.Equal(3.00m, Catalog.Find(ProviderKind.Anthropic, "claude-sonnet-4", Currency.USD, At("2026-01-10T00:00:00Z"))?.InputPerMillion);
    }

    private static PriceEntry Price(ProviderKind provider, string model, Currency currency, string from, decimal input, decimal? output, decimal? cached = null, string[]? aliases = null) =>
        new()
        {
            Provider = provider,
            Model = model,
            Aliases = aliases ?? [],
            Currency = currency,
            EffectiveFrom = DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture),
            InputPerMillion = input,
            OutputPerMillion = output,
            CachedInputPerMillion = cached,
        };
}
