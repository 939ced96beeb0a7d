using Monitor.Core.Budgets;

namespace Monitor.Core.Tests.Budgets;

public sealed class BudgetPeriodTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private static DateTimeOffset Utc(int y, int m, int d, int h = 0, int min = 0) => new(y, m, d, h, min, 0, TimeSpan.Zero);

    [Fact]
    public void Containing_MonthInParis_StartsAtLocalMidnight()
    {
        var p = BudgetPeriod.Containing(BudgetPeriodKind.Month, Utc(2026, 11, 22, 15), Paris);

        Assert.Equal((Utc(2026, 10, 31, 23), Utc(2026, 11, 30, 23)), (p.Start, p.End));
    }

    [Fact]
    public void Containing_LastHourOfMonthUtcButNextMonthInParis_IsTheNextMonth()
    {
        // 2026-11-30 23:30 UTC is already 1 December 00:30 in Paris.
        var p = BudgetPeriod.Containing(BudgetPeriodKind.Month, Utc(2026, 11, 30, 23, 30), Paris);

        Assert.Equal((Utc(2026, 11, 30, 23), Utc(2026, 12, 31, 23)), (p.Start, p.End));
    }

    [Fact]
    public void Containing_MonthAcrossSpringForward_Is743HoursAndEndsAtSummerMidnight()
    {
        // Paris moves to CEST on 2026-03-29: March has 743 hours, and April starts at 22:00 UTC.
        var p = BudgetPeriod.Containing(BudgetPeriodKind.Month, Utc(2026, 3, 15), Paris);

        Assert.Equal((Utc(2026, 2, 28, 23), Utc(2026, 3, 31, 22)), (p.Start, p.End));
        Assert.Equal(743, p.Length.TotalHours);
    }

    [Theory]
    [InlineData(2026, 3, 29, 23)] // spring forward: 23 hours
    [InlineData(2026, 10, 25, 25)] // fall back: 25 hours
    [InlineData(2026, 11, 22, 24)]
    public void Containing_DayInParis_HasTheLocalDaysLength(int y, int m, int d, int hours)
    {
        var p = BudgetPeriod.Containing(BudgetPeriodKind.Day, new DateTimeOffset(y, m, d, 12, 0, 0, TimeSpan.Zero), Paris);

        Assert.Equal(hours, p.Length.TotalHours);
    }

    [Fact]
    public void Containing_WeekStartingSunday_InNewYork_StartsAtSundayLocalMidnight()
    {
        // Wednesday 2026-11-25 in New York (EST, UTC-5); the week began Sunday 22 November at 05:00 UTC.
        var p = BudgetPeriod.Containing(BudgetPeriodKind.Week, Utc(2026, 11, 25, 12), NewYork, DayOfWeek.Sunday);

        Assert.Equal((Utc(2026, 11, 22, 5), Utc(2026, 11, 29, 5)), (p.Start, p.End));
    }

    [Fact]
    public void Containing_WeekOnItsFirstDay_StartsThatDay()
    {
        var monday = BudgetPeriod.Containing(BudgetPeriodKind.Week, Utc(2026, 11, 23, 0, 30), TimeZoneInfo.Utc);

        Assert.Equal((Utc(2026, 11, 23), Utc(2026, 11, 30)), (monday.Start, monday.End));
    }

    [Fact]
    public void Containing_LeapDay_IsItsOwnDayAndFebruaryHas29Days()
    {
        var day = BudgetPeriod.Containing(BudgetPeriodKind.Day, Utc(2028, 2, 29, 10), TimeZoneInfo.Utc);
        var month = BudgetPeriod.Containing(BudgetPeriodKind.Month, Utc(2028, 2, 29, 10), TimeZoneInfo.Utc);

        Assert.Equal((Utc(2028, 2, 29), Utc(2028, 3, 1)), (day.Start, day.End));
        Assert.Equal(29, month.Length.TotalDays);
    }

    [Fact]
    public void Containing_Quarter_CoversThreeCalendarMonths()
    {
        var p = BudgetPeriod.Containing(BudgetPeriodKind.Quarter, Utc(2026, 11, 22), Paris);

        Assert.Equal((Utc(2026, 9, 30, 22), Utc(2026, 12, 31, 23)), (p.Start, p.End));
    }

    [Fact]
    public void Containing_Rolling_EndsNow()
    {
        var now = Utc(2026, 11, 22, 15, 30);

        var p = BudgetPeriod.Containing(BudgetPeriodKind.Rolling, now, Paris, rollingDays: 7);

        Assert.Equal((now.AddDays(-7), now), (p.Start, p.End));
    }

    [Fact]
    public void ToUtc_AmbiguousFallBackTime_IsItsFirstOccurrence()
    {
        // 02:30 happens twice in Paris on 2026-10-25: first at 00:30 UTC (CEST).
        Assert.Equal(Utc(2026, 10, 25, 0, 30), ZonedTime.ToUtc(new DateTime(2026, 10, 25, 2, 30, 0), Paris));
    }

    [Fact]
    public void ToUtc_TimeInSpringForwardGap_MovesToTheFirstValidTime()
    {
        // 02:30 does not exist in Paris on 2026-03-29; 03:00 CEST is 01:00 UTC.
        Assert.Equal(Utc(2026, 3, 29, 1), ZonedTime.ToUtc(new DateTime(2026, 3, 29, 2, 30, 0), Paris));
    }
}
