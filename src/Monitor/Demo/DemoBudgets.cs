using Monitor.Hosting;

namespace Monitor.Demo;

/// <summary>
/// The demo's budgets, sized from the scenario's own spend so they tell the same story for any <c>Demo:Days</c>, seed
/// or date: a comfortable monthly EUR budget on Mistral; a monthly USD budget on OpenAI that the month to date has
/// passed 80 % of and the forecast overshoots; and a rolling 7-day budget on the incident key that the incident blows.
/// All months are UTC. In the first hour of a month (nothing spent yet) the OpenAI budget shows no threshold, and in
/// the month's last days the forecast can no longer overshoot by the 10 % margin: that is the truth, not a bug.
/// </summary>
public static class DemoBudgets
{
    /// <summary>How far the OpenAI forecast should overshoot the amount (the forecast alert needs 10 %).</summary>
    private const decimal ForecastOvershoot = 1.2m;

    /// <summary>The range the OpenAI month to date is kept in, as a share of the amount (80 % threshold crossed, 100 % not).</summary>
    private const decimal MinUsed = 0.85m;
    private const decimal MaxUsed = 0.97m;

    public static List<BudgetOptions> For(DemoScenario scenario, string mistralAccount, string openAIAccount)
    {
        var end = scenario.End;
        var monthStart = new DateTimeOffset(end.Year, end.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var hoursLeft = (decimal)(monthStart.AddMonths(1) - end).TotalHours;

        var (mistralSoFar, mistralForecast) = Month(scenario, DemoScenario.Mistral, monthStart, hoursLeft);
        var (openAISoFar, openAIForecast) = Month(scenario, DemoScenario.OpenAI, monthStart, hoursLeft);
        var used = openAISoFar > 0 ? Math.Clamp(ForecastOvershoot * openAISoFar / openAIForecast, MinUsed, MaxUsed) : 1m;

        var incident = scenario.Incident;
        var normalWeek = scenario.Hours
            .Where(h => h.Provider == incident.Provider && h.KeyId == incident.KeyId && h.HourStart >= incident.Start.AddDays(-7) && h.HourStart < incident.Start)
            .Sum(scenario.CostOf);

        return
        [
            new BudgetOptions
            {
                Name = "demo-mistral-monthly", Scope = new BudgetScopeOptions { Account = mistralAccount }, Currency = "EUR", Period = "Month",
                Amount = Math.Max(10m, Math.Ceiling(Math.Max(mistralSoFar, mistralForecast) * 1.25m / 10m) * 10m),
            },
            new BudgetOptions
            {
                Name = "demo-openai-monthly", Scope = new BudgetScopeOptions { Account = openAIAccount }, Currency = "USD", Period = "Month",
                Amount = Math.Max(1m, decimal.Round(openAISoFar > 0 ? openAISoFar / used : openAIForecast, 2)),
            },
            new BudgetOptions
            {
                Name = "demo-support-key-weekly", Scope = new BudgetScopeOptions { Account = openAIAccount, KeyId = incident.KeyId },
                Currency = "USD", Period = "Rolling", RollingDays = 7,
                Amount = Math.Max(1m, decimal.Round(normalWeek * 1.25m, 2)),
            },
        ];
    }

    /// <summary>The provider's spend so far this month, and a plain forecast: that plus the remaining hours at the last week's hourly rate.</summary>
    private static (decimal SoFar, decimal Forecast) Month(DemoScenario scenario, string provider, DateTimeOffset monthStart, decimal hoursLeft)
    {
        var weekStart = scenario.End.AddDays(-7);
        decimal soFar = 0, lastWeek = 0;
        foreach (var hour in scenario.Hours.Where(h => h.Provider == provider && h.HourStart < scenario.End))
        {
            var cost = scenario.CostOf(hour);
            if (hour.HourStart >= monthStart)
                soFar += cost;
            if (hour.HourStart >= weekStart)
                lastWeek += cost;
        }

        return (soFar, soFar + lastWeek / (7 * 24) * hoursLeft);
    }
}
