using System.Globalization;
using Monitor.Core.Alerts;
using Monitor.Core.Pricing;

namespace Monitor.Core.Budgets;

/// <summary>
/// Decides budget alerts from a <see cref="BudgetStatus"/>: the highest threshold crossed in the period (one mail,
/// even when spend jumped over several at once) and a forecast crossing 100 % plus the margin. Dedup keys name the
/// budget, the period start and the threshold, so each fires at most once per period (across restarts: the alerts
/// table remembers), a new period re-arms them, and raising a budget mid-period never re-sends one already sent.
/// </summary>
public static class BudgetRules
{
    /// <summary>A forecast needs this much of the period behind it (or a day, whichever is shorter) before it alerts.</summary>
    public const double MinElapsedShare = 0.1;

    public static IReadOnlyList<AlertDecision> Decide(BudgetStatus s, AlertEvidence? evidence = null)
    {
        var decisions = new List<AlertDecision>();
        var b = s.Budget;
        var crossed = BudgetThreshold.Of(b).Where(t => s.Spent >= t.Amount && t.Amount > 0).OrderBy(t => t.Amount).LastOrDefault();
        if (crossed is not null)
        {
            var episode = b.Period == BudgetPeriodKind.Rolling && s.RollingEpisodes.TryGetValue(crossed.Key, out var e) ? e : s.Period.Start;
            var forecast = s.Forecast is { } f ? $", forecast {Money(f, b)}" : "";
            decisions.Add(new AlertDecision
            {
                Kind = AlertKind.BudgetThreshold,
                Severity = s.Spent >= b.Amount ? AlertSeverity.Critical : AlertSeverity.Warning,
                Account = b.Scope.Account, Workspace = b.Scope.Workspace, KeyId = b.Scope.KeyId, Model = b.Scope.Model,
                Title = $"[Budget {crossed.Label}] {b.Name}: {Money(s.Spent, b)} of {Money(b.Amount, b)}{forecast}",
                Detail = $"{b.Name} ({b.Scope}) has spent {Money(s.Spent, b)} of its {Money(b.Amount, b)} {PeriodText(s)} "
                         + $"({s.Percent.ToString("0.#", CultureInfo.InvariantCulture)} %), crossing the {crossed.Label} threshold."
                         + (s.Forecast is { } p ? $" At the current pace it ends the period at {Money(p, b)}." : ""),
                DedupKey = $"budget:{b.Name}:{episode.ToUnixTimeSeconds()}:{crossed.Key}",
                CooldownKey = $"budget:{b.Name}:{s.Period.Start.ToUnixTimeSeconds()}",
                Evidence = evidence ?? AlertEvidence.None,
                To = b.To,
            });
        }

        if (ForecastAlarm(s) is { } projected)
        {
            decisions.Add(new AlertDecision
            {
                Kind = AlertKind.BudgetForecast,
                Severity = AlertSeverity.Warning,
                Account = b.Scope.Account, Workspace = b.Scope.Workspace, KeyId = b.Scope.KeyId, Model = b.Scope.Model,
                Title = $"[Budget forecast] {b.Name}: {Money(projected, b)} projected of {Money(b.Amount, b)} ({Money(s.Spent, b)} so far)",
                Detail = $"{b.Name} ({b.Scope}) is on course to spend {Money(projected, b)} {PeriodText(s)}, "
                         + $"{(projected / b.Amount * 100).ToString("0", CultureInfo.InvariantCulture)} % of its {Money(b.Amount, b)}; "
                         + $"{Money(s.Spent, b)} is spent so far (projection from the scope's {s.Projection!.Method}).",
                DedupKey = $"budget:{b.Name}:{s.Period.Start.ToUnixTimeSeconds()}:forecast",
                CooldownKey = $"budget-forecast:{b.Name}:{s.Period.Start.ToUnixTimeSeconds()}",
                Evidence = evidence ?? AlertEvidence.None,
                To = b.To,
            });
        }

        return decisions;
    }

    /// <summary>The projection when it crosses the amount plus the margin, early noise aside; otherwise null.</summary>
    public static decimal? ForecastAlarm(BudgetStatus s)
    {
        var b = s.Budget;
        if (!b.Forecast || s.Forecast is not { } f || b.Period == BudgetPeriodKind.Rolling || s.Spent >= b.Amount)
            return null;
        var elapsed = (s.At - s.Period.Start).TotalHours;
        var needed = Math.Min(24, s.Period.Length.TotalHours * MinElapsedShare);
        if (elapsed < needed)
            return null;
        return f > b.Amount * (1 + (b.ForecastMarginPercent / 100)) ? f : null;
    }

    /// <summary>
    /// For a rolling budget: when the current stretch with the window's spend at or above <paramref name="amount"/>
    /// began (walking back hour by hour while the trailing sum stays above). The alert's key carries it, so a new
    /// stretch after spend fell back below alerts again.
    /// </summary>
    public static DateTimeOffset EpisodeStart(HourlySpend spend, int rollingDays, decimal amount, DateTimeOffset now)
    {
        var threshold = (double)(amount * 1_000_000m);
        var hours = rollingDays * 24;
        // Whole hours, so the same stretch gives the same key from one check to the next. The trailing sum slides
        // back one hour at a time: drop the hour leaving at the end, add the one entering at the start.
        var start = HourlySpend.CeilHour(now);
        var end = spend.IndexOf(start);
        var sum = spend.Sum(start.AddHours(-hours), start);
        for (var i = end - 1; i - hours >= 0; i--)
        {
            sum += -At(spend, i) + At(spend, i - hours);
            if (sum < threshold)
                break;
            start = start.AddHours(-1);
        }

        return start;
    }

    private static double At(HourlySpend spend, int i) => i >= 0 && i < spend.Micros.Length ? spend.Micros[i] : 0;

    private static string PeriodText(BudgetStatus s)
    {
        var b = s.Budget;
        if (b.Period == BudgetPeriodKind.Rolling)
            return string.Create(CultureInfo.InvariantCulture, $"in the last {b.RollingDays} days");
        var start = ZonedTime.ToLocal(s.Period.Start, b.TimeZone);
        var end = ZonedTime.ToLocal(s.Period.End, b.TimeZone).AddDays(-1);
        return b.Period == BudgetPeriodKind.Day
            ? string.Create(CultureInfo.InvariantCulture, $"on {start:yyyy-MM-dd}")
            : string.Create(CultureInfo.InvariantCulture, $"from {start:yyyy-MM-dd} to {end:yyyy-MM-dd}");
    }

    private static string Money(decimal amount, BudgetDefinition b) => MoneyUnits.Display(amount, b.Currency);
}
