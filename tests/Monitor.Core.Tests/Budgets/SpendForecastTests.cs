using Monitor.Core.Budgets;
using Monitor.Core.Pricing;

namespace Monitor.Core.Tests.Budgets;

public sealed class SpendForecastTests
{
    private static readonly DateTimeOffset Origin = new(2026, 10, 5, 0, 0, 0, TimeSpan.Zero); // a Monday

    // Office hours, Monday three times as busy as the other weekdays, quiet weekends: EUR per hour.
    private static double MondayHeavy(DateTimeOffset hour)
    {
        if (hour.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || hour.Hour is < 8 or >= 18)
            return 0.1;
        return hour.DayOfWeek == DayOfWeek.Monday ? 3 : 1;
    }

    private static HourlySpend Trace(DateTimeOffset until, Func<DateTimeOffset, double> euros)
    {
        var spend = new HourlySpend(Origin, 24 * 70);
        for (var t = Origin; t < until; t = t.AddHours(1))
            spend.Add(t, TimeSpan.FromHours(1), euros(t) * 1_000_000, until);
        return spend;
    }

    private static double WeekTotal => Enumerable.Range(0, 168).Sum(h => MondayHeavy(Origin.AddHours(h)));

    [Fact]
    public void Project_MondayHeavyTeamOnMondayEvening_ProjectsAnOrdinaryWeek()
    {
        var now = new DateTimeOffset(2026, 11, 9, 18, 0, 0, TimeSpan.Zero); // Monday, after the busy day
        var week = BudgetPeriod.Containing(BudgetPeriodKind.Week, now, TimeZoneInfo.Utc);

        var p = SpendForecast.Project(Trace(now, MondayHeavy), week, now);

        Assert.Equal("weekday and hour pattern", p.Method);
        Assert.InRange(p.ForecastMicros / 1e6, WeekTotal * 0.95, WeekTotal * 1.05);
        // A straight line from Monday's pace would have projected more than twice the real week.
        var linear = p.SpentMicros / 18 * 168 / 1e6;
        Assert.True(linear > WeekTotal * 2, $"linear {linear} vs week {WeekTotal}");
    }

    [Fact]
    public void Project_SpendDoubledLastWeek_ProjectsTheHigherLevel()
    {
        var change = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
        var now = new DateTimeOffset(2026, 11, 11, 12, 0, 0, TimeSpan.Zero);
        var month = BudgetPeriod.Containing(BudgetPeriodKind.Month, now, TimeZoneInfo.Utc);

        var p = SpendForecast.Project(Trace(now, t => MondayHeavy(t) * (t >= change ? 2 : 1)), month, now);

        // The rest of the month at twice the old weekly rhythm: about 19.5 days of it.
        var restAtDouble = Enumerable.Range(0, (int)(month.End - now).TotalHours).Sum(h => 2 * MondayHeavy(now.AddHours(h)));
        Assert.InRange(p.ForecastMicros - p.SpentMicros, restAtDouble * 1e6 * 0.85, restAtDouble * 1e6 * 1.15);
    }

    [Fact]
    public void Project_LessThanAWeekOfHistory_IsLinear()
    {
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var now = start.AddDays(3);
        var spend = new HourlySpend(start, 24 * 31);
        for (var t = start; t < now; t = t.AddHours(1))
            spend.Add(t, TimeSpan.FromHours(1), 1_000_000, now);

        var p = SpendForecast.Project(spend, BudgetPeriod.Containing(BudgetPeriodKind.Month, now, TimeZoneInfo.Utc), now);

        Assert.Equal(("linear", 72.0, 720.0), (p.Method, p.SpentMicros / 1e6, Math.Round(p.ForecastMicros / 1e6, 6)));
    }

    [Fact]
    public void Add_MonthlyBucket_SpreadsOverTheHoursObservedSoFar()
    {
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var spend = new HourlySpend(start, 24 * 30);

        spend.Add(start, TimeSpan.FromDays(30), 100 * 1_000_000, start.AddDays(10));

        Assert.Equal(50.0, Math.Round(spend.Sum(start, start.AddDays(5)) / 1e6, 6));
        Assert.Equal(0, spend.Sum(start.AddDays(10), start.AddDays(30)));
    }

    [Fact]
    public void Find_RateNotConfigured_IsNullAndLatestEffectiveRateWins()
    {
        var rates = new[]
        {
            new ExchangeRate(Currency.USD, Currency.EUR, 0.90m, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            new ExchangeRate(Currency.USD, Currency.EUR, 0.95m, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero)),
        };

        Assert.Null(ExchangeRate.Find(rates, Currency.EUR, Currency.USD, new DateTimeOffset(2026, 11, 5, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(0.90m, ExchangeRate.Find(rates, Currency.USD, Currency.EUR, new DateTimeOffset(2026, 10, 31, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(0.95m, ExchangeRate.Find(rates, Currency.USD, Currency.EUR, new DateTimeOffset(2026, 11, 5, 0, 0, 0, TimeSpan.Zero)));
        Assert.Null(ExchangeRate.Find(rates, Currency.USD, Currency.EUR, new DateTimeOffset(2025, 12, 31, 0, 0, 0, TimeSpan.Zero)));
    }
}
