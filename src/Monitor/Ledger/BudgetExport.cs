using System.Globalization;
using Monitor.Core.Budgets;

namespace Monitor.Ledger;

/// <summary><c>monitor export budgets</c>: every configured budget with where it stands (spend, percent, forecast).</summary>
public static class BudgetExport
{
    public static IReadOnlyList<string> Columns { get; } =
    [
        "name", "account", "workspace", "key_id", "model", "currency", "amount", "period", "time_zone", "period_start", "period_end",
        "spent", "percent", "forecast", "forecast_method", "thresholds", "threshold_amounts", "recipients", "not_counted",
    ];

    public static Task<long> WriteAsync(TextWriter output, ExportFormat format, IReadOnlyList<BudgetStatus> statuses, CancellationToken ct) =>
        TableWriter.WriteAsync(output, format, Columns, Rows(statuses), ct);

    private static async IAsyncEnumerable<object?[]> Rows(IReadOnlyList<BudgetStatus> statuses)
    {
        foreach (var s in statuses)
        {
            var b = s.Budget;
            yield return
            [
                b.Name, b.Scope.Account, b.Scope.Workspace, b.Scope.KeyId, b.Scope.Model, b.Currency.ToString(), b.Amount,
                b.Period == BudgetPeriodKind.Rolling ? string.Create(CultureInfo.InvariantCulture, $"rolling {b.RollingDays}d") : b.Period.ToString().ToLowerInvariant(),
                b.TimeZone.Id, s.Period.Start, s.Period.End, decimal.Round(s.Spent, 2), s.Percent, s.Forecast, s.Projection?.Method,
                string.Join(' ', b.ThresholdPercents.Select(p => p.ToString("0.##", CultureInfo.InvariantCulture))),
                string.Join(' ', b.ThresholdAmounts.Select(p => p.ToString("0.##", CultureInfo.InvariantCulture))),
                string.Join(' ', b.To),
                string.Join(' ', s.Excluded.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Currency} {e.Amount:0.00}"))),
            ];
            await Task.CompletedTask;
        }
    }
}
