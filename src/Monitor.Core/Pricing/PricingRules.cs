using Monitor.Core.Usage;

namespace Monitor.Core.Pricing;

/// <summary>
/// A provider's published billing rules that the catalog does not repeat per model: what cached input and
/// cache writes cost relative to input when a model has no explicit price for them, and the batch discount.
/// </summary>
public sealed record PricingRules(decimal CachedInputFactor, decimal CacheWriteFactor, decimal BatchDiscount)
{
    // Mistral: cached tokens at 10% of input, batch 50% off (prompt-caching and batch docs).
    private static readonly PricingRules Mistral = new(0.10m, 1.00m, 0.50m);

    // OpenAI: most models list their cached price; where one does not, cached input is half price. Batch 50% off.
    private static readonly PricingRules OpenAI = new(0.50m, 1.00m, 0.50m);

    // Anthropic: cache reads at 10% of input, 5-minute cache writes at 125%, batch 50% off.
    private static readonly PricingRules Anthropic = new(0.10m, 1.25m, 0.50m);

    /// <summary>The catalog family a provider kind is priced under (Codestral bills at Mistral's prices).</summary>
    public static ProviderKind PricingFamily(ProviderKind kind) => kind switch
    {
        ProviderKind.Codestral => ProviderKind.Mistral,
        _ => kind,
    };

    public static PricingRules For(ProviderKind kind) => PricingFamily(kind) switch
    {
        ProviderKind.Mistral => Mistral,
        ProviderKind.Anthropic => Anthropic,
        _ => OpenAI,
    };
}
