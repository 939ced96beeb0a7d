using System.Globalization;
using Monitor.Core.Alerts;
using Monitor.Core.Pricing;

namespace Monitor.Core.Deprecations;

/// <summary>
/// Usage-weighted deprecation warnings: only models called within the window alert. Before retirement, one reminder
/// per milestone (90, 30, 7, 1 days and on the day; the latest crossed one only); after it, calls to the model are a
/// critical alert. Dedup key <c>deprecation:{account}:{model}:{milestone}</c>, so each is raised once.
/// </summary>
public static class DeprecationAlerts
{
    public static IEnumerable<AlertDecision> Evaluate(
        IEnumerable<(ModelUse Use, ModelLifecycle Lifecycle)> uses, PriceCatalog catalog, DateTimeOffset now, int windowDays)
    {
        foreach (var (use, life) in uses.Where(u => IsDue(u.Use, u.Lifecycle, now)))
        {
            yield return now >= life.RetiresAt
                ? Retired(use, life, catalog, now, windowDays)
                : Reminder(use, life, Milestones.Before(life.RetiresAt, now, Milestones.Deprecation)!, catalog, now, windowDays);
        }
    }

    /// <summary>
    /// Whether a model in use is due: a reminder step before its retirement has started, or it is still called after
    /// it. The dashboard's "deprecations due" lists exactly these, so the page and the reminders agree.
    /// </summary>
    public static bool IsDue(ModelUse use, ModelLifecycle life, DateTimeOffset now) =>
        now >= life.RetiresAt
            ? use.RequestsSinceRetirement > 0
            : Milestones.Before(life.RetiresAt, now, Milestones.Deprecation) is not null;

    /// <summary>The workspaces and keys calling the model, biggest spender first (then most requests, then by label).</summary>
    public static IEnumerable<ModelCaller> CallersBySpend(ModelUse use) =>
        use.Callers.OrderByDescending(c => c.Cost).ThenByDescending(c => c.Requests).ThenBy(c => c.Label, StringComparer.Ordinal);

    private static AlertDecision Reminder(ModelUse use, ModelLifecycle life, Milestone step, PriceCatalog catalog, DateTimeOffset now, int windowDays)
    {
        var monthly = Monthly(use.Cost, windowDays);
        var when = step.DaysLeft switch { 0 => "today", 1 => "in 1 day", var d => $"in {d} days" };
        var replacement = life.Replacement is { } r ? $" Move its callers to {r}." : " No replacement was announced.";
        return new AlertDecision
        {
            Kind = AlertKind.Deprecation,
            Severity = step.Code == "90d" ? AlertSeverity.Info : AlertSeverity.Warning,
            Account = use.Account,
            Model = use.Model,
            Title = $"[Deprecation] {use.Model} retires {Day(life.RetiresAt)} ({when}): {MoneyUnits.Display(monthly, use.Currency)}/month on {use.Account}",
            Detail = $"{use.Model} retires on {Day(life.RetiresAt)} ({when}) and {use.Account} still called it " +
                     $"{use.Requests.ToString("N0", CultureInfo.InvariantCulture)} times in the last {windowDays} days, from " +
                     $"{use.Callers.Count} workspace(s) or key(s).{replacement}",
            DedupKey = $"deprecation:{use.Account}:{use.Model}:{step.Code}",
            OccurredAt = now,
            Evidence = Evidence(use, life, step.DaysLeft, catalog, now, windowDays),
        };
    }

    private static AlertDecision Retired(ModelUse use, ModelLifecycle life, PriceCatalog catalog, DateTimeOffset now, int windowDays) => new()
    {
        Kind = AlertKind.Deprecation,
        Severity = AlertSeverity.Critical,
        Account = use.Account,
        Model = use.Model,
        Title = $"[Retired model] {use.Model} retired {Day(life.RetiresAt)} and is still called: " +
                $"{use.RequestsSinceRetirement.ToString("N0", CultureInfo.InvariantCulture)} requests on {use.Account}",
        Detail = $"{use.Model} was retired on {Day(life.RetiresAt)}, yet {use.Account} recorded " +
                 $"{use.RequestsSinceRetirement.ToString("N0", CultureInfo.InvariantCulture)} requests " +
                 $"({MoneyUnits.Display(use.CostSinceRetirement, use.Currency)}) since then: those calls fail or are " +
                 $"silently served by another model.{(life.Replacement is { } r ? $" Its replacement is {r}." : "")}",
        DedupKey = $"deprecation:{use.Account}:{use.Model}:retired",
        OccurredAt = life.RetiresAt,
        Evidence = Evidence(use, life, Milestones.DaysLeft(life.RetiresAt, now), catalog, now, windowDays),
    };

    private static AlertEvidence Evidence(ModelUse use, ModelLifecycle life, int daysLeft, PriceCatalog catalog, DateTimeOffset now, int windowDays)
    {
        var monthly = Monthly(use.Cost, windowDays);
        var code = use.Currency.ToString();
        var amounts = new List<AlertAmount> { new("spend_per_month", monthly, code) };
        var facts = new List<AlertFact>
        {
            new("Account", use.Account),
            new("Model", use.Model),
            new("Retires", Day(life.RetiresAt)),
            new("Days left", daysLeft.ToString(CultureInfo.InvariantCulture)),
            new("Source", life.Source),
            new("Spend per month", MoneyUnits.Display(monthly, use.Currency)),
            new($"Requests (last {windowDays} days)", use.Requests.ToString("N0", CultureInfo.InvariantCulture)),
            new("Last call", use.LastUsedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)),
        };
        if (life.Replacement is { } replacement)
        {
            facts.Add(new("Replacement", replacement));
            facts.Add(new("Price change", PriceChange.Describe(catalog, use.Provider, use.Model, replacement, use.Currency, now)));
            if (PriceChange.CostAt(catalog, use.Provider, replacement, use.Currency, now, use.Tokens) is { } atReplacement)
            {
                var after = Monthly(atReplacement, windowDays);
                facts.Add(new("Spend per month at the replacement's prices",
                    $"{MoneyUnits.Display(after, use.Currency)} ({PriceChange.Percent(monthly, after)})"));
                amounts.Add(new AlertAmount("spend_per_month_at_replacement", after, code));
            }
        }

        var callers = CallersBySpend(use)
            .Select(c => new AlertFact(c.Label,
                $"{MoneyUnits.Display(Monthly(c.Cost, windowDays), use.Currency)}/month, {c.Requests.ToString("N0", CultureInfo.InvariantCulture)} requests"))
            .ToList();
        var runbook = new List<string>
        {
            "Find the callers below (workspaces and keys still calling the model).",
            life.Replacement is { } r
                ? $"Switch them to {r}; test it first: behaviour and price change with the model."
                : "Choose a replacement from the provider's current models and test it.",
            $"Watch {use.Model}'s traffic fall to zero on this monitor before {Day(life.RetiresAt)}.",
        };
        return new AlertEvidence
        {
            Facts = facts,
            Amounts = amounts,
            Breakdowns = [new AlertBreakdown("Still calling it", callers)],
            Runbook = runbook,
        };
    }

    public static decimal Monthly(decimal windowCost, int windowDays) =>
        decimal.Round(windowCost * 30m / Math.Max(1, windowDays), 2, MidpointRounding.AwayFromZero);

    private static string Day(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
