namespace Monitor.Dashboard;

/// <summary>One named series of a chart, a value per day of <see cref="ChartData.Days"/> (0 where nothing was used).</summary>
public sealed record ChartSeries(string Label, IReadOnlyList<double> Values);
