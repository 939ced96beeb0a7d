using System.Globalization;
using Monitor.Core.Budgets;
using Monitor.Core.Pricing;

namespace Monitor.Hosting;

/// <summary>
/// Turns the configured budgets and exchange rates into Core's types, and lists what is wrong with them (one line per
/// problem, naming the key) for the options validator.
/// </summary>
public static class BudgetDefinitions
{
    public static IReadOnlyList<BudgetDefinition> From(MonitorOptions options) =>
    [
        .. options.Budgets.Select(b => new BudgetDefinition
        {
            Name = b.Name,
            Scope = new BudgetScope(Blank(b.Scope.Account), Blank(b.Scope.Workspace), Blank(b.Scope.KeyId), Blank(b.Scope.Model)),
            Amount = b.Amount,
            Currency = Enum.Parse<Currency>(b.Currency, ignoreCase: true),
            Period = Enum.Parse<BudgetPeriodKind>(b.Period, ignoreCase: true),
            WeekStart = Enum.Parse<DayOfWeek>(b.WeekStart, ignoreCase: true),
            RollingDays = b.RollingDays,
            TimeZone = TimeZoneInfo.FindSystemTimeZoneById(b.TimeZone),
            ThresholdPercents = [.. (b.Thresholds ?? [50, 80, 100]).Order()],
            ThresholdAmounts = [.. (b.ThresholdAmounts ?? []).Order()],
            Forecast = b.Forecast,
            ForecastMarginPercent = b.ForecastMargin,
            To = b.To is { Count: > 0 } to ? to : [],
            Enforce = b.Enforce,
        }),
    ];

    public static IReadOnlyList<ExchangeRate> Rates(MonitorOptions options) =>
    [
        .. options.Pricing.ExchangeRates.Select(r => new ExchangeRate(
            Enum.Parse<Currency>(r.From, true), Enum.Parse<Currency>(r.To, true), r.Rate,
            DateTimeOffset.Parse(r.EffectiveFrom, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal))),
    ];

    public static IEnumerable<string> Problems(MonitorOptions o, string root)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < o.Budgets.Count; i++)
        {
            var b = o.Budgets[i];
            var at = $"{root}:Budgets:{i}";
            if (string.IsNullOrWhiteSpace(b.Name))
                yield return $"{at}:Name: is required";
            else if (!names.Add(b.Name))
                yield return $"{at}:Name: '{b.Name}' is used by another budget";
            if (b.Amount <= 0)
                yield return $"{at}:Amount: must be positive";
            if (!Currencies.TryParse(b.Currency, out _))
                yield return $"{at}:Currency: '{b.Currency}' must be USD or EUR";
            if (!Enum.TryParse<BudgetPeriodKind>(b.Period, true, out var period) || int.TryParse(b.Period, out _))
                yield return $"{at}:Period: '{b.Period}' must be Day, Week, Month, Quarter or Rolling";
            if (!Enum.TryParse<DayOfWeek>(b.WeekStart, true, out _) || int.TryParse(b.WeekStart, out _))
                yield return $"{at}:WeekStart: '{b.WeekStart}' is not a day of the week (Monday, Sunday, ...)";
            if (period == BudgetPeriodKind.Rolling && b.RollingDays is < 1 or > 366)
                yield return $"{at}:RollingDays: {b.RollingDays} must be 1-366";
            if (!TimeZoneInfo.TryFindSystemTimeZoneById(b.TimeZone, out _))
                yield return $"{at}:TimeZone: '{b.TimeZone}' is not an IANA time zone (Europe/Paris, America/New_York, UTC)";
            foreach (var (t, j) in (b.Thresholds ?? []).Select((t, j) => (t, j)))
            {
                if (t is <= 0 or > 1000)
                    yield return $"{at}:Thresholds:{j}: {t} must be a percentage above 0 (and at most 1000)";
            }

            foreach (var (t, j) in (b.ThresholdAmounts ?? []).Select((t, j) => (t, j)))
            {
                if (t <= 0)
                    yield return $"{at}:ThresholdAmounts:{j}: must be positive";
            }

            if (b.ForecastMargin is < 0 or > 500)
                yield return $"{at}:ForecastMargin: {b.ForecastMargin} must be a percentage 0-500";
            foreach (var problem in EnforceProblems(o, b, at))
                yield return problem;
            foreach (var (to, j) in (b.To ?? []).Select((t, j) => (t, j)))
            {
                if (!MimeKit.MailboxAddress.TryParse(to, out _) || !to.Contains('@', StringComparison.Ordinal))
                    yield return $"{at}:To:{j}: '{to}' is not an email address";
            }
        }

        for (var i = 0; i < o.Pricing.ExchangeRates.Count; i++)
        {
            var r = o.Pricing.ExchangeRates[i];
            var at = $"{root}:Pricing:ExchangeRates:{i}";
            if (!Currencies.TryParse(r.From, out _))
                yield return $"{at}:From: '{r.From}' must be USD or EUR";
            if (!Currencies.TryParse(r.To, out _))
                yield return $"{at}:To: '{r.To}' must be USD or EUR";
            if (r.Rate <= 0)
                yield return $"{at}:Rate: must be positive";
            if (!DateTimeOffset.TryParse(r.EffectiveFrom, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
                yield return $"{at}:EffectiveFrom: '{r.EffectiveFrom}' is not a date (2026-01-01)";
        }
    }

    // Only the proxy can stop spend: an enforced budget must reach at least one account whose calls go through it.
    private static IEnumerable<string> EnforceProblems(MonitorOptions o, BudgetOptions b, string at)
    {
        if (!b.Enforce)
            yield break;
        var account = Blank(b.Scope.Account);
        var proxied = o.Providers.Where(p => p.Proxy.Enabled && p.Enabled).Select(p => p.Name).ToList();
        if (account is not null && !o.Providers.Any(p => string.Equals(p.Name, account, StringComparison.Ordinal)))
            yield return $"{at}:Scope:Account: '{account}' is not a configured provider account (an enforced budget stops that account's proxy)";
        else if (account is not null && !proxied.Contains(account, StringComparer.Ordinal))
            yield return $"{at}:Enforce: account '{account}' does not enable the proxy (Monitor:Providers:N:Proxy:Enabled): nothing could stop its spend";
        else if (account is null && proxied.Count == 0)
            yield return $"{at}:Enforce: no account enables the proxy (Monitor:Providers:N:Proxy:Enabled): nothing could stop this budget's spend";
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
