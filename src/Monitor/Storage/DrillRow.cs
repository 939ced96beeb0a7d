namespace Monitor.Storage;

/// <summary>One row of a drill-down table: a UTC day, account, model and key with their totals (money in micro-units).</summary>
public sealed record DrillRow
{
    public long Day { get; init; }
    public string Account { get; init; } = "";
    public string Model { get; init; } = "";
    public string KeyId { get; init; } = "";
    public string? KeyName { get; init; }
    public string Currency { get; init; } = "";
    public long CostMicros { get; init; }
    public long UnpricedBuckets { get; init; }
    public long Requests { get; init; }
    public long Tokens { get; init; }
}
