namespace Monitor.Core.Usage;

/// <summary>A share of month-to-date growth placed in one ledger bucket. Money in micro-units; null when not known.</summary>
public sealed record UsageIncrement(
    DateTimeOffset BucketStart, BucketWidth Width, TokenCounts Tokens, long Requests, long? CostMicros, long? EstimatedMicros)
{
    /// <summary>The share of billed units that are not tokens (pages, seconds, ...).</summary>
    public long Units { get; init; }
}
