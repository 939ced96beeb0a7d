namespace Monitor.Storage;

/// <summary>
/// One counted ledger record as the FOCUS export reads it: times in Unix seconds, money in micro-units (null where the
/// ledger has none), the key as its provider id and fingerprint exactly as stored.
/// </summary>
public sealed record CountedUsageRow
{
    public required string Account { get; init; }
    public required string Provider { get; init; }
    public required string Workspace { get; init; }
    public required string KeyId { get; init; }
    public string? KeyFingerprint { get; init; }
    public required string Model { get; init; }
    public required string Category { get; init; }
    public required long BucketStart { get; init; }
    public required string BucketWidth { get; init; }
    public long InputTokens { get; init; }
    public long CachedInputTokens { get; init; }
    public long CacheWriteTokens { get; init; }
    public long OutputTokens { get; init; }
    public long ReasoningTokens { get; init; }
    public long Requests { get; init; }
    public long Units { get; init; }
    public string Unit { get; init; } = "";
    public long? CostMicros { get; init; }
    public required string Currency { get; init; }
    public required string CostSource { get; init; }
    public long? EstimatedCostMicros { get; init; }
    public required string Source { get; init; }
}
