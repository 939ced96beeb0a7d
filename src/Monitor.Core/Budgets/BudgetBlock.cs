namespace Monitor.Core.Budgets;

/// <summary>
/// An enforced budget that has reached its amount: the proxy refuses calls in its scope until <see cref="Until"/> (the
/// period's end; never for a rolling window, whose spend is recomputed as it slides) unless the budget is raised.
/// </summary>
public sealed record BudgetBlock(string Budget, string Message, DateTimeOffset Until)
{
    public bool Refuses(DateTimeOffset now) => now < Until;
}
