using Monitor.Storage;

namespace Monitor.Dashboard;

/// <summary>One panel of a page: a metric split by a grouping over a window, drawn as a chart or a table.</summary>
public sealed record DashboardPanel
{
    /// <summary>The default number of rows in a table and of series in a chart (the rest is folded into "other").</summary>
    public const int DefaultLimit = 10;

    public const int MaxLimit = 100;

    public required string Title { get; init; }
    public required PanelMetric Metric { get; init; }

    /// <summary>For budget_use (which has neither field) <see cref="PanelGrouping.Account"/>; unused.</summary>
    public required PanelGrouping Grouping { get; init; }

    /// <summary>For budget_use <see cref="PanelWindow.MonthToDate"/>, unused (a budget has its own period); forecast is always mtd.</summary>
    public required PanelWindow Window { get; init; }
    public required PanelKind Kind { get; init; }
    public int Limit { get; init; } = DefaultLimit;
}
