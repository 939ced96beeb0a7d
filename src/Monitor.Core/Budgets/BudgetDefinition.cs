using Monitor.Core.Pricing;

namespace Monitor.Core.Budgets;

/// <summary>A budget as configured (Monitor:Budgets), validated and resolved (time zone found, thresholds sorted).</summary>
public sealed record BudgetDefinition
{
    public required string Name { get; init; }
    public BudgetScope Scope { get; init; } = new();
    public required decimal Amount { get; init; }
    public required Currency Currency { get; init; }
    public required BudgetPeriodKind Period { get; init; }
    public DayOfWeek WeekStart { get; init; } = DayOfWeek.Monday;
    public int RollingDays { get; init; } = 30;
    public required TimeZoneInfo TimeZone { get; init; }

    /// <summary>Percentages of <see cref="Amount"/>, ascending.</summary>
    public IReadOnlyList<decimal> ThresholdPercents { get; init; } = [50, 80, 100];

    /// <summary>Absolute amounts in <see cref="Currency"/>, ascending.</summary>
    public IReadOnlyList<decimal> ThresholdAmounts { get; init; } = [];

    public bool Forecast { get; init; } = true;

    /// <summary>The projection must exceed the amount by this share (10 = 10 %) before a forecast alert fires.</summary>
    public decimal ForecastMarginPercent { get; init; } = 10;

    /// <summary>Recipients for this budget's mail; empty: the global recipients.</summary>
    public IReadOnlyList<string> To { get; init; } = [];

    /// <summary>
    /// A hard cap at the metering proxy: once the period's spend reaches <see cref="Amount"/>, the proxy refuses the
    /// calls in <see cref="Scope"/> until the period ends or the budget is raised (see <see cref="EnforcedBudget"/>).
    /// </summary>
    public bool Enforce { get; init; }

    public BudgetPeriod PeriodAt(DateTimeOffset now) => BudgetPeriod.Containing(Period, now, TimeZone, WeekStart, RollingDays);
}
