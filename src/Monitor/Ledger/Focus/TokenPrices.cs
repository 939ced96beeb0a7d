using Monitor.Core.Pricing;
using Monitor.Core.Usage;

namespace Monitor.Ledger.Focus;

/// <summary>
/// The catalog's list prices per million tokens of each token class, as <see cref="PriceCatalog.Estimate"/> prices them:
/// cached input and cache writes at their own price where the catalog has one, else by the provider's rule from the
/// input price. <see cref="OutputPerMillion"/> is null for an input-only price (embeddings).
/// </summary>
public sealed record TokenPrices(decimal InputPerMillion, decimal CacheReadPerMillion, decimal CacheWritePerMillion, decimal? OutputPerMillion)
{
    public static TokenPrices Of(PriceEntry price, ProviderKind provider)
    {
        ArgumentNullException.ThrowIfNull(price);
        var rules = PricingRules.For(provider);
        return new TokenPrices(
            price.InputPerMillion,
            price.CachedInputPerMillion ?? price.InputPerMillion * rules.CachedInputFactor,
            price.CacheWritePerMillion ?? price.InputPerMillion * rules.CacheWriteFactor,
            price.OutputPerMillion);
    }

    /// <summary>The list price per million tokens of a token meter; null for the other meters or an unpriced output.</summary>
    public decimal? PerMillion(ChargeMeter meter) => meter switch
    {
        ChargeMeter.InputTokens => InputPerMillion,
        ChargeMeter.CacheReadTokens => CacheReadPerMillion,
        ChargeMeter.CacheWriteTokens => CacheWritePerMillion,
        ChargeMeter.OutputTokens => OutputPerMillion,
        _ => null,
    };
}
