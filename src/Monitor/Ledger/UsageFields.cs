namespace Monitor.Ledger;

/// <summary>The usage export and import columns, in export order (documented in the README).</summary>
public static class UsageFields
{
    public const string BucketStart = "bucket_start";
    public const string BucketWidth = "bucket_width";
    public const string Provider = "provider";
    public const string Account = "account";
    public const string Workspace = "workspace";
    public const string KeyId = "key_id";
    public const string KeyFingerprint = "key_fingerprint";
    public const string Model = "model";
    public const string InputTokens = "input_tokens";
    public const string CachedInputTokens = "cached_input_tokens";
    public const string CacheWriteTokens = "cache_write_tokens";
    public const string OutputTokens = "output_tokens";
    public const string ReasoningTokens = "reasoning_tokens";
    public const string Requests = "requests";
    public const string Cost = "cost";
    public const string Currency = "currency";
    public const string CostSource = "cost_source";
    public const string EstimatedCost = "estimated_cost";
    public const string Source = "source";
    public const string IngestedAt = "ingested_at";
    public const string Category = "category";
    public const string Units = "units";
    public const string Unit = "unit";

    /// <summary>1 when the record is of its account's counted usage source, 0 for the other source kept beside it.</summary>
    public const string Counted = "counted";

    public static IReadOnlyList<string> All { get; } =
    [
        BucketStart, BucketWidth, Provider, Account, Workspace, KeyId, KeyFingerprint, Model,
        InputTokens, CachedInputTokens, CacheWriteTokens, OutputTokens, ReasoningTokens, Requests,
        Cost, Currency, CostSource, EstimatedCost, Source, IngestedAt,
        Category, Units, Unit, // added later: appended, so older files keep their column positions
        Counted,
    ];

    public static IReadOnlyList<string> Required { get; } = [BucketStart, BucketWidth, Provider, Account, Model, Currency];
}
