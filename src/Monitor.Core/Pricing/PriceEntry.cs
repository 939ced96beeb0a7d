using Monitor.Core.Usage;

namespace Monitor.Core.Pricing;

/// <summary>
/// The price of one model in one currency from a date on (UTC), per million tokens. Cached-input and cache-write
/// prices are optional: when absent, the provider's rule derives them from the input price. <see cref="Tier"/> names
/// a price that applies to one kind of usage only (<c>priority</c>, <c>long_context</c>); "" is the standard price.
/// </summary>
public sealed record PriceEntry
{
    public required ProviderKind Provider { get; init; }
    public required string Model { get; init; }
    public IReadOnlyList<string> Aliases { get; init; } = [];
    public required Currency Currency { get; init; }
    public required DateOnly EffectiveFrom { get; init; }
    public required decimal InputPerMillion { get; init; }
    public decimal? OutputPerMillion { get; init; }
    public decimal? CachedInputPerMillion { get; init; }
    public decimal? CacheWritePerMillion { get; init; }

    /// <summary>"" for the standard price; otherwise the usage it prices (<c>priority</c>, <c>long_context</c>).</summary>
    public string Tier { get; init; } = "";
}
