namespace Monitor.Core.Budgets;

/// <summary>A budget period as instants: [Start, End). Calendar boundaries are local midnights in the budget's zone.</summary>
public sealed record BudgetPeriod(DateTimeOffset Start, DateTimeOffset End)
{
    public TimeSpan Length => End - Start;

    /// <summary>
    /// The period containing <paramref name="now"/>: the local day, the week from <paramref name="weekStart"/>, the
    /// month or the quarter in <paramref name="zone"/>, or for Rolling the last <paramref name="rollingDays"/> days up to now.
    /// </summary>
    public static BudgetPeriod Containing(
        BudgetPeriodKind kind, DateTimeOffset now, TimeZoneInfo zone, DayOfWeek weekStart = DayOfWeek.Monday, int rollingDays = 30)
    {
        if (kind == BudgetPeriodKind.Rolling)
            return new BudgetPeriod(now.AddDays(-rollingDays), now);
        var local = ZonedTime.ToLocal(now, zone);
        // A local day that started in a DST gap still starts at its first valid time, so "today" is the calendar date.
        var today = local.Date;
        var (start, end) = kind switch
        {
            BudgetPeriodKind.Day => (today, today.AddDays(1)),
            BudgetPeriodKind.Week => WeekOf(today, weekStart),
            BudgetPeriodKind.Month => (new DateTime(today.Year, today.Month, 1), new DateTime(today.Year, today.Month, 1).AddMonths(1)),
            BudgetPeriodKind.Quarter => QuarterOf(today),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        return new BudgetPeriod(ZonedTime.ToUtc(start, zone), ZonedTime.ToUtc(end, zone));
    }

    private static (DateTime, DateTime) WeekOf(DateTime today, DayOfWeek weekStart)
    {
        var start = today.AddDays(-(((int)today.DayOfWeek - (int)weekStart + 7) % 7));
        return (start, start.AddDays(7));
    }

    private static (DateTime, DateTime) QuarterOf(DateTime today)
    {
        var start = new DateTime(today.Year, ((today.Month - 1) / 3 * 3) + 1, 1);
        return (start, start.AddMonths(3));
    }
}
