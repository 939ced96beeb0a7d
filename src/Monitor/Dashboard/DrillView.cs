using Monitor.Storage;

namespace Monitor.Dashboard;

/// <summary>A drill-down page: one account, key or model over [From, To) with its charts and its day x model x key table.</summary>
public sealed record DrillView
{
    public const int MaxRows = 500;

    public required DrillFilter Filter { get; init; }
    public required DateTimeOffset From { get; init; }
    public required DateTimeOffset To { get; init; }
    public required DateTimeOffset Now { get; init; }
    public required IReadOnlyList<DashboardPage> Navigation { get; init; }
    public required IReadOnlyList<string> ChartCurrencies { get; init; }

    /// <summary>The first <see cref="MaxRows"/> rows (newest days first); the CSV export has them all.</summary>
    public required IReadOnlyList<DrillRow> Rows { get; init; }

    public required int TotalRows { get; init; }
}
