namespace Monitor.Storage;

/// <summary>
/// Reported against estimated cost of an account in one currency, over the buckets that have both (as
/// <c>monitor export reconciliation</c> compares them); micro-units.
/// </summary>
public sealed record ReconciliationGap
{
    public string Account { get; init; } = "";
    public string Currency { get; init; } = "";
    public long ReportedMicros { get; init; }
    public long EstimatedMicros { get; init; }
    public long GapMicros => ReportedMicros - EstimatedMicros;
}
