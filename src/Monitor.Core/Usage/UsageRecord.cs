using Monitor.Core.Pricing;

namespace Monitor.Core.Usage;

/// <summary>
/// One bucket of usage as the ledger holds it. <see cref="Cost"/> is the amount to count: the provider's
/// reported cost where there is one, else the catalog estimate; <see cref="EstimatedCost"/> keeps the
/// estimate beside a reported cost for reconciliation. Both are null for an unpriced model.
/// </summary>
public sealed record UsageRecord
{
    public required string Account { get; init; }
    public required ProviderKind Provider { get; init; }
    public string Workspace { get; init; } = "";
    public string KeyId { get; init; } = "";
    public string? KeyFingerprint { get; init; }
    public required string Model { get; init; }

    /// <summary>
    /// What kind of usage of <see cref="Model"/> this is, where one model is billed on several lines: "" for plain
    /// token usage at the standard tier; otherwise a short name such as <c>priority</c>, <c>long_context</c>,
    /// <c>ocr</c>, <c>images</c> or <c>web_search_calls</c>. Part of the record's identity.
    /// </summary>
    public string Category { get; init; } = "";
    public required DateTimeOffset BucketStart { get; init; }
    public required BucketWidth BucketWidth { get; init; }
    public TokenCounts Tokens { get; init; }
    public long Requests { get; init; }

    /// <summary>Billed units that are not tokens (OCR pages, audio seconds, images, tool calls), in <see cref="Unit"/>; 0 when none.</summary>
    public long Units { get; init; }

    /// <summary>The unit of <see cref="Units"/> (<c>pages</c>, <c>seconds</c>, <c>characters</c>, <c>images</c>, <c>calls</c>, ...), or "".</summary>
    public string Unit { get; init; } = "";
    public decimal? Cost { get; init; }
    public required Currency Currency { get; init; }
    public required CostSource CostSource { get; init; }
    public decimal? EstimatedCost { get; init; }
    public required RecordSource Source { get; init; }
    public DateTimeOffset IngestedAt { get; init; }

    /// <summary>
    /// Whether the record belongs to its account's counted usage source (budgets, forecasts, anomalies and the dashboard
    /// count one source per account; the other is kept beside it). The ledger decides it from the account's recorded
    /// choice (its UsageFrom); this value only counts for an account without one, as a re-imported export says. Null: counted.
    /// </summary>
    public bool? Counted { get; init; }

    /// <summary>Provider payload fragments the mapping did not understand, kept verbatim (JSON), or null.</summary>
    public string? Raw { get; init; }

    public UsageKey Key => new(Account, Workspace, KeyId, Model, BucketStart, BucketWidth, Category);
}
