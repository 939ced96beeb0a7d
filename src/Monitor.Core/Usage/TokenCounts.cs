namespace Monitor.Core.Usage;

/// <summary>
/// Token counts of one bucket by billing category. The categories do not overlap on the input side:
/// <see cref="Input"/> is uncached input only, <see cref="CachedInput"/> the cache reads and
/// <see cref="CacheWrite"/> the cache writes. <see cref="Reasoning"/> is the part of <see cref="Output"/>
/// that the provider reports as reasoning (already billed as output, never added on top).
/// </summary>
public readonly record struct TokenCounts(long Input, long CachedInput, long CacheWrite, long Output, long Reasoning)
{
    public static TokenCounts Zero => default;

    public long Total => Input + CachedInput + CacheWrite + Output;

    public static TokenCounts operator +(TokenCounts a, TokenCounts b) => new(
        a.Input + b.Input, a.CachedInput + b.CachedInput, a.CacheWrite + b.CacheWrite,
        a.Output + b.Output, a.Reasoning + b.Reasoning);
}
