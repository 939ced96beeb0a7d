using System.Globalization;
using Monitor.Core.Alerts;
using Monitor.Core.Pricing;

namespace Monitor.Core.Budgets;

/// <summary>What a budget alert shows: the numbers, the models and keys driving the spend, and the chart (spend to
/// date against the budget line, with the forecast to the period's end).</summary>
public static class BudgetEvidence
{
    public static AlertEvidence Build(BudgetStatus s)
    {
        var b = s.Budget;
        var facts = new List<AlertFact>
        {
            new("Budget", $"{b.Name}: {Money(b.Amount, b)} per {PeriodName(b)}"),
            new("Scope", b.Scope.ToString()),
            new("Period", Period(s)),
            new("Spent", $"{Money(s.Spent, b)} ({s.Percent.ToString("0.#", CultureInfo.InvariantCulture)} %)"),
        };
        if (s.Forecast is { } f)
            facts.Add(new AlertFact("Forecast at period end", $"{Money(f, b)} ({s.Projection!.Method})"));
        facts.Add(new AlertFact("Remaining", Money(b.Amount - s.Spent, b)));
        foreach (var (currency, amount) in s.Excluded)
            facts.Add(new AlertFact("Not counted", $"{MoneyUnits.Display(amount, currency)}: no {currency}→{b.Currency} rate is configured (Monitor:Pricing:ExchangeRates)"));

        var series = new List<AlertChartSeries>
        {
            new("Spent", [.. s.Cumulative.Select(p => new AlertChartPoint(p.At, (double)p.Spent))]),
        };
        if (s.Projection is { Curve.Count: > 1 } projection)
            series.Add(new AlertChartSeries("Forecast", [.. projection.Curve.Select(p => new AlertChartPoint(p.At, p.Micros / 1_000_000))], AlertChartStyle.Dashed));

        var code = b.Currency.ToString();
        List<AlertAmount> amounts = [new("spent", s.Spent, code), new("budget", b.Amount, code), new("remaining", b.Amount - s.Spent, code)];
        if (s.Forecast is { } forecast)
            amounts.Add(new AlertAmount("forecast", forecast, code));
        return new AlertEvidence
        {
            Facts = facts,
            Amounts = amounts,
            Breakdowns =
            [
                new AlertBreakdown("Top models", [.. s.TopModels.Select(m => new AlertFact(m.Label, Money(m.Amount, b)))]),
                new AlertBreakdown("Top keys", [.. s.TopKeys.Select(k => new AlertFact(k.Label, Money(k.Amount, b)))]),
            ],
            Runbook =
            [
                "Open the dashboard and check which models and keys drive the spend.",
                "If the spend is expected, raise the budget (Monitor:Budgets) so the next thresholds stay meaningful.",
                "If it is not, find the caller behind the top key; rotate the key if it may have leaked.",
                "Set or lower the provider's own spend limit so a runaway cannot exceed what you can pay.",
            ],
            Chart = new AlertChart
            {
                Title = $"{b.Name}: spend this period",
                Unit = b.Currency.ToString(),
                Series = series,
                Lines = [new AlertChartLine($"Budget {Money(b.Amount, b)}", (double)b.Amount)],
            },
        };
    }

    private static string Period(BudgetStatus s)
    {
        var b = s.Budget;
        var start = ZonedTime.ToLocal(s.Period.Start, b.TimeZone);
        var end = ZonedTime.ToLocal(s.Period.End, b.TimeZone);
        return b.Period == BudgetPeriodKind.Rolling
            ? string.Create(CultureInfo.InvariantCulture, $"last {b.RollingDays} days")
            : string.Create(CultureInfo.InvariantCulture, $"{start:yyyy-MM-dd HH:mm} to {end:yyyy-MM-dd HH:mm} ({b.TimeZone.Id})");
    }

    private static string PeriodName(BudgetDefinition b) => b.Period switch
    {
        BudgetPeriodKind.Rolling => string.Create(CultureInfo.InvariantCulture, $"{b.RollingDays} days"),
        _ => b.Period.ToString().ToLowerInvariant(),
    };

    private static string Money(decimal amount, BudgetDefinition b) => MoneyUnits.Display(amount, b.Currency);
}
