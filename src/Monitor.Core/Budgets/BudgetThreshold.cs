using System.Globalization;
using Monitor.Core.Pricing;

namespace Monitor.Core.Budgets;

/// <summary>One threshold of a budget: a percentage of its amount or an absolute amount, as money.</summary>
public sealed record BudgetThreshold(string Key, string Label, decimal Amount, decimal? Percent)
{
    /// <summary>The budget's thresholds, lowest first.</summary>
    public static IReadOnlyList<BudgetThreshold> Of(BudgetDefinition b) =>
    [
        .. b.ThresholdPercents.Select(p => new BudgetThreshold(
            string.Create(CultureInfo.InvariantCulture, $"pct{p:0.##}"), string.Create(CultureInfo.InvariantCulture, $"{p:0.##}%"),
            decimal.Round(b.Amount * p / 100, 6), p)),
        .. b.ThresholdAmounts.Select(a => new BudgetThreshold(
            string.Create(CultureInfo.InvariantCulture, $"amt{a:0.######}"), MoneyUnits.Display(a, b.Currency), a, null)),
    ];
}
