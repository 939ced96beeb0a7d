namespace Monitor.Storage;

/// <summary>One point of a chart series: a group's total on one UTC day (Unix seconds of midnight).</summary>
public sealed record DailyValue
{
    public long Day { get; init; }
    public string Label { get; init; } = "";
    public long Value { get; init; }
}
