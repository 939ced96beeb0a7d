namespace Monitor.Dashboard;

/// <summary>One budget in its period: the amount, what is spent, the forecast to the period's end and the alert thresholds (percent of the amount).</summary>
public sealed record BudgetGauge(
    string Name, string Currency, decimal Amount, decimal Spent, decimal? Forecast,
    IReadOnlyList<decimal> ThresholdPercents, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd);
