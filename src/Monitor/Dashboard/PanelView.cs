using Monitor.Storage;

namespace Monitor.Dashboard;

/// <summary>A panel with the data the page needs to show it (charts are fetched by the browser per image).</summary>
public sealed record PanelView
{
    public required int Index { get; init; }
    public required DashboardPanel Panel { get; init; }
    public required DateTimeOffset From { get; init; }
    public required DateTimeOffset To { get; init; }

    /// <summary>Table rows: for cost the top <c>limit</c> groups of each currency, else the top <c>limit</c> groups.</summary>
    public IReadOnlyList<GroupTotal> Rows { get; init; } = [];

    /// <summary>Table footers: the total of every group (not only the rows shown), one per currency with more than one group.</summary>
    public IReadOnlyList<GroupTotal> Totals { get; init; } = [];

    /// <summary>Forecast panels: month-to-date and projected month end per group and currency.</summary>
    public IReadOnlyList<ForecastRow> Forecasts { get; init; } = [];

    /// <summary>budget_use panels: every budget from the registered sources.</summary>
    public IReadOnlyList<BudgetGauge> Gauges { get; init; } = [];

    /// <summary>Cost charts: one chart per currency with priced usage in the window.</summary>
    public IReadOnlyList<string> ChartCurrencies { get; init; } = [];

    /// <summary>unmetered panels: the completed days of accounts with both sources in the window, newest first.</summary>
    public IReadOnlyList<Core.Usage.UnmeteredDay> Unmetered { get; init; } = [];

    /// <summary>Cost charts: models whose usage in the window has no price (not counted in any amount).</summary>
    public IReadOnlyList<UnpricedModel> Unpriced { get; init; } = [];
}
