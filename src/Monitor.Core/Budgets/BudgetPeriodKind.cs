namespace Monitor.Core.Budgets;

/// <summary>How a budget's period is cut: calendar periods in the budget's time zone, or a rolling window ending now.</summary>
public enum BudgetPeriodKind
{
    Day,
    Week,
    Month,
    Quarter,
    Rolling,
}
