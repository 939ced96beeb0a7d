using Monitor.Core.Pricing;
using Monitor.Core.Usage;

namespace Monitor.Core.Deprecations;

/// <summary>
/// How one account used one model within the usage window (the last N days), and since the model's retirement.
/// Money is in <see cref="Currency"/>; unpriced buckets count as zero cost but still as calls.
/// </summary>
public sealed record ModelUse
{
    public required string Account { get; init; }
    public required ProviderKind Provider { get; init; }
    public required string Model { get; init; }
    public required Currency Currency { get; init; }
    public required decimal Cost { get; init; }
    public required TokenCounts Tokens { get; init; }
    public required long Requests { get; init; }
    public required DateTimeOffset LastUsedAt { get; init; }
    public IReadOnlyList<ModelCaller> Callers { get; init; } = [];

    /// <summary>Calls in buckets starting at or after the retirement (filled only for retired models).</summary>
    public long RequestsSinceRetirement { get; init; }

    public decimal CostSinceRetirement { get; init; }
}
