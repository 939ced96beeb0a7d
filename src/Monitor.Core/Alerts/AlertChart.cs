namespace Monitor.Core.Alerts;

/// <summary>
/// A chart for an alert's email, as data: series over time plus horizontal reference lines (a budget, a baseline).
/// The host draws it; Core only decides what it shows.
/// </summary>
public sealed record AlertChart
{
    public required string Title { get; init; }

    /// <summary>The vertical axis' unit: a currency code, "tokens" or "requests".</summary>
    public required string Unit { get; init; }

    public IReadOnlyList<AlertChartSeries> Series { get; init; } = [];
    public IReadOnlyList<AlertChartLine> Lines { get; init; } = [];
}

public sealed record AlertChartSeries(string Name, IReadOnlyList<AlertChartPoint> Points, AlertChartStyle Style = AlertChartStyle.Solid);

public sealed record AlertChartPoint(DateTimeOffset At, double Value);

/// <summary>A horizontal line: the budget amount, a threshold, a baseline.</summary>
public sealed record AlertChartLine(string Label, double Value, AlertChartStyle Style = AlertChartStyle.Dashed);

public enum AlertChartStyle
{
    Solid,
    Dashed,
}
