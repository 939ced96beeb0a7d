namespace Monitor.Dashboard;

/// <summary>Budgets as the dashboard shows them (gauges); resolved as <c>IEnumerable</c>: none registered means no budgets.</summary>
public interface IBudgetGaugeSource
{
    Task<IReadOnlyList<BudgetGauge>> GaugesAsync(DateTimeOffset now, CancellationToken ct);
}
