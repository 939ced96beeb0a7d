namespace Monitor.Dashboard;

/// <summary>What a chart shows: UTC days on the x axis, one or more series, a y-axis label (unit or currency).</summary>
public sealed record ChartData
{
    public required PanelKind Kind { get; init; }
    public required string YLabel { get; init; }
    public required IReadOnlyList<DateTime> Days { get; init; }
    public required IReadOnlyList<ChartSeries> Series { get; init; }
}
