using Monitor.Core.Usage;
using Monitor.Ledger.Focus;
using Monitor.Storage;

namespace Monitor.Tests.Ledger.Focus;

/// <summary>The rules that turn one ledger record into FOCUS rows, without I/O.</summary>
public sealed class FocusMapperTests
{
    private static readonly DateTimeOffset Hour = new(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);

    // Anthropic-like list prices per million: input 3, cache read 0.30, cache write 3.75, output 15.
    private static readonly TokenPrices Prices = new(3m, 0.3m, 3.75m, 15m);

    private static CountedUsageRow Row(string costSource = "reported", long? cost = 1_000_000, long? estimate = null, string keyId = "apikey_01", string? fingerprint = null) => new()
    {
        Account = "anthropic-prod", Provider = "anthropic", Workspace = "wrkspc_01", KeyId = keyId, KeyFingerprint = fingerprint,
        Model = "claude-sonnet-4-5", Category = "", BucketStart = Hour.ToUnixTimeSeconds(), BucketWidth = "1h",
        InputTokens = 100_000, CachedInputTokens = 1_000_000, CacheWriteTokens = 80_000, OutputTokens = 20_000, ReasoningTokens = 5_000,
        Requests = 12, CostMicros = cost, Currency = "USD", CostSource = costSource, EstimatedCostMicros = estimate, Source = "api",
    };

    [Fact]
    public void Map_ReportedRecordWithEveryClass_OneRowPerClassSplitByListPriceToTheMicro()
    {
        var charges = FocusMapper.Map(Row(cost: 1_000_001, estimate: 1_200_000), Prices);

        // List costs: input 0.30, cache read 0.30, cache write 0.30, output 0.30: equal shares of the reported 1.000001.
        Assert.Equal(["Input Tokens", "Cache Read Input Tokens", "Cache Write Input Tokens", "Output Tokens"], charges.Select(c => c.SkuMeter));
        Assert.Equal([100_000m, 1_000_000m, 80_000m, 20_000m], charges.Select(c => c.ConsumedQuantity));
        Assert.Equal([0.250001m, 0.25m, 0.25m, 0.25m], charges.Select(c => c.BilledCost));
        Assert.Equal(1.000001m, charges.Sum(c => c.EffectiveCost));
        Assert.Equal(1.2m, charges.Sum(c => c.EstimatedCost));
        Assert.Equal([0.3m, 0.3m, 0.3m, 0.3m], charges.Select(c => c.ListCost));
        Assert.All(charges, c => Assert.Equal(("ListPrice", "reported", "apikey_01", "wrkspc_01"), (c.CostAllocation, c.CostSource, c.CredentialId, c.SubAccountId)));
        Assert.Equal(
            [
                """{"ModelId":"claude-sonnet-4-5","TokenCacheAction":"Uncached","TokenDirection":"Input"}""",
                """{"ModelId":"claude-sonnet-4-5","TokenCacheAction":"Read","TokenDirection":"Input"}""",
                """{"ModelId":"claude-sonnet-4-5","TokenCacheAction":"Write","TokenDirection":"Input"}""",
                """{"ModelId":"claude-sonnet-4-5","TokenDirection":"Output"}""",
            ],
            charges.Select(c => c.SkuPriceDetails));
        Assert.Equal([null, null, null, 5_000L], charges.Select(c => c.ReasoningTokens));
        Assert.All(charges, c => Assert.Equal("claude-sonnet-4-5", c.ModelId));
        Assert.Equal(["Input", "Input", "Input", "Output"], charges.Select(c => c.TokenDirection));
        Assert.Equal(["Uncached", "Read", "Write", null], charges.Select(c => c.TokenCacheAction));
    }

    [Fact]
    public void Map_ProviderBillingCacheWritesOnItsInputMeter_NoTokenCacheActionOnInput()
    {
        var charges = FocusMapper.Map(Row() with { Provider = "openai", Model = "gpt-5", CacheWriteTokens = 0 }, Prices);

        Assert.Equal([(null, "Input"), ("Read", "Input"), (null, "Output")], charges.Select(c => (c.TokenCacheAction, c.TokenDirection)));
        Assert.Equal("""{"ModelId":"gpt-5","TokenDirection":"Input"}""", charges[0].SkuPriceDetails);
    }

    [Fact]
    public void Map_HourOfNovember_ChargeHourInTheNovemberBillingPeriod()
    {
        var c = FocusMapper.Map(Row(), Prices)[0];

        Assert.Equal((Hour, Hour.AddHours(1)), (c.ChargePeriodStart, c.ChargePeriodEnd));
        Assert.Equal((new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)), (c.BillingPeriodStart, c.BillingPeriodEnd));
        Assert.Equal((0.1m, FocusMapper.MillionTokensUnit, FocusMapper.TokensUnit), (c.PricingQuantity, c.PricingUnit, c.ConsumedUnit));
    }

    [Fact]
    public void Map_EstimateOnly_BillsZeroAndKeepsTheEstimateApart()
    {
        var charges = FocusMapper.Map(Row(costSource: "estimated", cost: 1_200_000), Prices);

        Assert.All(charges, c => Assert.Equal((0m, 0m, "estimated"), (c.BilledCost, c.EffectiveCost, c.CostSource)));
        Assert.Equal(1.2m, charges.Sum(c => c.EstimatedCost));
        Assert.Equal(1.2m, charges.Sum(c => c.ListCost)); // list price × tokens, whatever was billed
    }

    [Fact]
    public void Map_UnpricedModel_SplitsTheReportedCostByTokensAndListCostIsTheBill()
    {
        var charges = FocusMapper.Map(Row(cost: 1_200_000), prices: null);

        Assert.Equal([100_000m, 1_000_000m, 80_000m, 20_000m], charges.Select(c => c.BilledCost * 1_200_000m / 1.2m));
        Assert.All(charges, c => Assert.Equal((c.BilledCost, (decimal?)null, "Quantity"), (c.ListCost, c.ListUnitPrice, c.CostAllocation)));
    }

    [Fact]
    public void Map_KeyKnownByItsFingerprintOnly_NoCredentialId()
    {
        var proxy = FocusMapper.Map(Row(keyId: "c0ffee12…abcd", fingerprint: "c0ffee12…abcd"), Prices);
        var unattributed = FocusMapper.Map(Row(keyId: BillSlices.Unattributed), Prices);

        Assert.All(proxy.Concat(unattributed), c => Assert.Null(c.CredentialId));
    }

    [Fact]
    public void Map_CostWithoutCounts_OneRequestsRowCarriesTheWholeCost()
    {
        var row = Row(cost: 2_001_960) with
        {
            Model = BillSlices.Unattributed, InputTokens = 0, CachedInputTokens = 0, CacheWriteTokens = 0, OutputTokens = 0, ReasoningTokens = 0, Requests = 0,
        };

        var c = Assert.Single(FocusMapper.Map(row, prices: null));

        Assert.Equal((2.00196m, 0m, "Requests", "Whole", (string?)null, (string?)null), (c.BilledCost, c.ConsumedQuantity, c.ConsumedUnit, c.CostAllocation, c.SkuId, c.SkuPriceDetails));
        Assert.Equal(((string?)null, (string?)null, (string?)null), (c.ModelId, c.TokenDirection, c.TokenCacheAction));
    }

    [Fact]
    public void Map_BilledUnitsOfACategory_UnitRowWithTheCategoryInSkuAndTags()
    {
        var row = Row(cost: 3_000_000) with
        {
            Provider = "mistral", Model = "mistral-ocr-2505", Category = "ocr", Units = 1_000, Unit = "pages",
            InputTokens = 0, CachedInputTokens = 0, CacheWriteTokens = 0, OutputTokens = 0, ReasoningTokens = 0,
        };

        var c = Assert.Single(FocusMapper.Map(row, prices: null));

        Assert.Equal((1_000m, "Pages", 1_000m, "Pages", 3m), (c.ConsumedQuantity, c.ConsumedUnit, c.PricingQuantity, c.PricingUnit, c.BilledCost));
        Assert.Equal(("mistral/mistral-ocr-2505/pages", "mistral/mistral-ocr-2505/pages/ocr"), (c.SkuId, c.SkuPriceId));
        Assert.Equal("""{"ModelId":"mistral-ocr-2505","x_Category":"ocr"}""", c.SkuPriceDetails);
        Assert.Equal(("mistral-ocr-2505", (string?)null, (string?)null), (c.ModelId, c.TokenDirection, c.TokenCacheAction)); // pages: a model, no tokens
        Assert.Equal("""{"monitor/source":"api","monitor/category":"ocr"}""", c.Tags);
    }

    [Theory]
    [InlineData(7, new[] { 1.0, 1.0, 1.0 }, new long[] { 3, 2, 2 })]
    [InlineData(-7, new[] { 1.0, 1.0, 1.0 }, new long[] { -3, -2, -2 })]
    [InlineData(10, new[] { 0.0, 0.0 }, new long[] { 5, 5 })]
    [InlineData(1_000_001, new[] { 3.0, 1.0 }, new long[] { 750_001, 250_000 })]
    public void CostSplit_Proportional_PartsAddUpToTheAmount(long amount, double[] weights, long[] expected)
    {
        var parts = CostSplit.Proportional(amount, [.. weights.Select(w => (decimal)w)]);

        Assert.Equal(expected, parts);
        Assert.Equal(amount, parts.Sum());
    }
}
