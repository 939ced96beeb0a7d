namespace Monitor.Storage;

/// <summary>A provider-reported monthly spend limit as stored in <c>spend_limits</c> (money in micro-units).</summary>
public sealed record SpendLimitRow
{
    public string Account { get; init; } = "";
    public string Currency { get; init; } = "";
    public long? UsageMicros { get; init; }
    public long? LimitMicros { get; init; }
    public long LimitReached { get; init; }
    public long PaymentFailure { get; init; }
    public long FetchedAt { get; init; }
}
