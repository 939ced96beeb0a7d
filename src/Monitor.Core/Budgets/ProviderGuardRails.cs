using System.Globalization;
using Monitor.Core.Alerts;
using Monitor.Core.Pricing;

namespace Monitor.Core.Budgets;

/// <summary>
/// The providers' own guard rails against ours: a monthly spend cap missing or looser than our monthly budget for the
/// account (advised once a month), the cap reached or a payment failure (critical: requests are failing), and a
/// prepaid balance that runs out within the warning window at the current burn rate (once per balance level).
/// </summary>
public static class ProviderGuardRails
{
    public static IEnumerable<AlertDecision> SpendLimits(
        IReadOnlyList<(string Account, SpendLimitInfo Limit)> limits, IReadOnlyList<BudgetDefinition> budgets, DateTimeOffset now)
    {
        var month = now.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        foreach (var (account, limit) in limits)
        {
            var cap = limit.Limit is { } l ? MoneyUnits.Display(l, limit.Currency) : null;
            if (limit.LimitReached)
            {
                yield return Decision(AlertKind.ProviderCap, AlertSeverity.Critical, account, $"provider_cap:{account}:{month}:reached",
                    $"[Provider cap reached] {account}: monthly spend limit {cap ?? "(unknown)"} reached",
                    $"The provider reports that {account} reached its monthly spend limit{(cap is null ? "" : $" of {cap}")}"
                    + $"{(limit.Usage is { } u ? $" (usage {MoneyUnits.Display(u, limit.Currency)})" : "")}: requests are being refused until the limit is raised or the month ends.",
                    ["Check whether the spend that reached the cap is expected (dashboard: top keys and models).", "Raise the limit in the provider's console only if it is.", "If not, rotate the key that drives the spend."],
                    [.. Amount("limit", limit.Limit, limit.Currency), .. Amount("usage", limit.Usage, limit.Currency)]);
            }

            if (limit.PaymentFailure)
            {
                yield return Decision(AlertKind.PaymentFailure, AlertSeverity.Critical, account,
                    $"payment_failure:{account}:{now.UtcDateTime:yyyy-MM-dd}",
                    $"[Payment failure] {account}: the provider reports a failed payment",
                    $"The provider reports a payment failure for {account}; service may be suspended. Update the payment method in the provider's console.",
                    ["Update the payment method in the provider's billing console.", "Confirm the account is active again (the next pull clears this)."]);
            }

            var ours = budgets.Where(b => b.Period == BudgetPeriodKind.Month && b.Currency == limit.Currency
                                          && b.Scope == new BudgetScope(Account: account)).OrderBy(b => b.Amount).FirstOrDefault();
            if (ours is null)
                continue;
            var budget = MoneyUnits.Display(ours.Amount, ours.Currency);
            if (limit.Limit is null)
            {
                yield return Decision(AlertKind.ProviderCap, AlertSeverity.Warning, account, $"provider_cap:{account}:{month}:missing",
                    $"[Provider cap] {account}: no monthly spend limit at the provider (our budget {budget})",
                    $"{account} has no monthly spend limit at the provider, so nothing stops a leaked key before the bill does. Our budget {ours.Name} is {budget} a month.",
                    [$"Set a monthly spend limit near {budget} in the provider's console (Mistral: Admin > Billing > Limits).", "Keep it a little above the budget so the budget alerts come first."],
                    Amount("budget", ours.Amount, ours.Currency));
            }
            else if (limit.Limit > ours.Amount)
            {
                yield return Decision(AlertKind.ProviderCap, AlertSeverity.Warning, account, $"provider_cap:{account}:{month}:looser",
                    $"[Provider cap] {account}: provider limit {cap} is looser than our budget {budget}",
                    $"The provider's monthly limit for {account} is {cap}, above our budget {ours.Name} of {budget}: spend can exceed the budget by {MoneyUnits.Display(limit.Limit.Value - ours.Amount, ours.Currency)} before the provider stops it.",
                    [$"Lower the provider's monthly limit towards {budget}, or raise the budget if the limit reflects the plan."],
                    [.. Amount("limit", limit.Limit, limit.Currency), .. Amount("budget", ours.Amount, ours.Currency)]);
            }
        }
    }

    /// <param name="balances">Each prepaid balance with the account's average daily spend over the recent days.</param>
    public static IEnumerable<AlertDecision> Balances(
        IReadOnlyList<(string Account, CreditBalanceInfo Balance, decimal DailyBurn)> balances, int warnDays)
    {
        foreach (var (account, balance, burn) in balances)
        {
            // An allowance (a Kilo member's daily limit) resets on the provider's schedule and is not bought credit:
            // a run-out forecast from the burn rate, and "top up the credits", would both be wrong.
            if (balance.Kind == BalanceKind.Allowance)
                continue;
            var remaining = MoneyUnits.Display(balance.Remaining, balance.Currency);
            var daysLeft = burn > 0 ? balance.Remaining / burn : (decimal?)null;
            var depleted = balance.Depleted || balance.Remaining <= 0;
            if (!depleted && (daysLeft is null || daysLeft > warnDays))
                continue;
            var critical = depleted || daysLeft < 1;
            var level = critical ? "critical" : "warning";
            // A top-up changes the total bought (or the remaining jumps): the key names it, so a new low alerts again.
            var episode = balance.Total is { } t ? MoneyUnits.Format(t) : "na";
            var left = depleted ? "used up" : $"runs out in {daysLeft!.Value.ToString("0.#", CultureInfo.InvariantCulture)} days";
            yield return new AlertDecision
            {
                Kind = AlertKind.LowBalance,
                Severity = critical ? AlertSeverity.Critical : AlertSeverity.Warning,
                Account = account,
                Title = $"[Low balance] {account}: {remaining} left, {left}",
                Detail = $"The prepaid balance of {account} is {remaining}; at the last week's average of {MoneyUnits.Display(burn, balance.Currency)} a day it {left}. "
                         + "When it is gone, requests fail.",
                DedupKey = $"low_balance:{account}:{episode}:{level}",
                Evidence = new AlertEvidence
                {
                    Facts =
                    [
                        new AlertFact("Remaining", remaining),
                        new AlertFact("Burn rate", $"{MoneyUnits.Display(burn, balance.Currency)} per day (last 7 days)"),
                        new AlertFact("Runs out", depleted ? "now" : $"in {daysLeft!.Value.ToString("0.#", CultureInfo.InvariantCulture)} days"),
                    ],
                    Amounts = [new("remaining", balance.Remaining, balance.Currency.ToString()), new("burn_per_day", burn, balance.Currency.ToString())],
                    Runbook = ["Top up the credits in the provider's console, or enable auto top-up.", "If the burn rate is unexpected, check the top keys on the dashboard first."],
                },
            };
        }
    }

    private static AlertDecision Decision(
        AlertKind kind, AlertSeverity severity, string account, string dedupKey, string title, string detail, IReadOnlyList<string> runbook,
        IReadOnlyList<AlertAmount>? amounts = null) => new()
    {
        Kind = kind, Severity = severity, Account = account, Title = title, Detail = detail, DedupKey = dedupKey,
        Evidence = new AlertEvidence { Runbook = runbook, Amounts = amounts ?? [] },
    };

    private static AlertAmount[] Amount(string name, decimal? amount, Currency currency) =>
        amount is { } a ? [new AlertAmount(name, a, currency.ToString())] : [];
}
