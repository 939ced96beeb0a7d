using Monitor.Core.Pricing;

namespace Monitor.Demo;

/// <summary>The demo's price of one model per 1M tokens; the fake provider computes its costs from it.</summary>
public sealed record DemoPrice(
    string Provider, string Model, Currency Currency,
    decimal InputPerMillion, decimal CachedInputPerMillion, decimal OutputPerMillion)
{
    private const decimal Million = 1_000_000m;

    public decimal InputCost(long uncachedTokens) => uncachedTokens * InputPerMillion / Million;

    public decimal CachedInputCost(long cachedTokens) => cachedTokens * CachedInputPerMillion / Million;

    public decimal OutputCost(long outputTokens) => outputTokens * OutputPerMillion / Million;

    /// <summary>Cache writes per 1M tokens; Anthropic's 125% of input unless set.</summary>
    public decimal? CacheWritePerMillion { get; init; }

    public decimal CacheWriteCost(long tokens) => tokens * (CacheWritePerMillion ?? InputPerMillion * 1.25m) / Million;
}
