using Monitor.Core.Pricing;

namespace Monitor.Core.Budgets;

/// <summary>Where a budget stands at a moment: spend so far in its period, the projection, and spend it could not count.</summary>
public sealed record BudgetStatus
{
    public required BudgetDefinition Budget { get; init; }
    public required BudgetPeriod Period { get; init; }
    public required DateTimeOffset At { get; init; }
    public required decimal Spent { get; init; }

    /// <summary>Null when forecasting is off for the budget or meaningless (a rolling window).</summary>
    public SpendProjection? Projection { get; init; }

    public decimal? Forecast => Projection is { } p ? decimal.Round((decimal)p.ForecastMicros / 1_000_000m, 2) : null;

    /// <summary>Spend in the scope in other currencies with no configured rate into the budget's: shown, never added.</summary>
    public IReadOnlyList<(Currency Currency, decimal Amount)> Excluded { get; init; } = [];

    /// <summary>Start of the current stretch above each crossed threshold of a rolling budget (keys its alerts).</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> RollingEpisodes { get; init; } = new Dictionary<string, DateTimeOffset>();

    /// <summary>Cumulative spend at each local midnight of the period and now (for the chart).</summary>
    public IReadOnlyList<(DateTimeOffset At, decimal Spent)> Cumulative { get; init; } = [];

    /// <summary>The models carrying the period's spend, largest first (a few, for the mail and the page).</summary>
    public IReadOnlyList<(string Label, decimal Amount)> TopModels { get; init; } = [];

    /// <summary>The keys carrying the period's spend, named from the key inventory where it knows them.</summary>
    public IReadOnlyList<(string Label, decimal Amount)> TopKeys { get; init; } = [];

    public decimal Percent => Budget.Amount == 0 ? 0 : decimal.Round(Spent / Budget.Amount * 100, 1);
}
