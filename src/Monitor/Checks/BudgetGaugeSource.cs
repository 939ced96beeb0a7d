using Monitor.Dashboard;

namespace Monitor.Checks;

/// <summary>The dashboard's budget gauges: the same statuses the budget check decides from.</summary>
public sealed class BudgetGaugeSource(BudgetEvaluator budgets) : IBudgetGaugeSource
{
    public async Task<IReadOnlyList<BudgetGauge>> GaugesAsync(DateTimeOffset now, CancellationToken ct) =>
    [
        .. (await budgets.StatusesAsync(now, ct)).Select(s => new BudgetGauge(
            s.Budget.Name, s.Budget.Currency.ToString(), s.Budget.Amount, decimal.Round(s.Spent, 2), s.Forecast,
            s.Budget.ThresholdPercents, s.Period.Start, s.Period.End)),
    ];
}
