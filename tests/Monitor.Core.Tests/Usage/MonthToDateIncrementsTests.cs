using Monitor.Core.Usage;

namespace Monitor.Core.Tests.Usage;

public sealed class MonthToDateIncrementsTests
{
    private static readonly DateTimeOffset November = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Derive_FirstPollOnly_IsOneOpeningMonthBucket()
    {
        var result = MonthToDateIncrements.Derive([Poll("2026-11-10T12:00:00Z", input: 1000, cost: 50)]);

        var opening = Assert.Single(result);
        Assert.Equal((November, BucketWidth.Month, 1000L, 50L), (opening.BucketStart, opening.Width, opening.Tokens.Input, opening.CostMicros!.Value));
    }

    [Fact]
    public void Derive_HourlyPolls_GiveEachHourItsOwnGrowth()
    {
        var result = MonthToDateIncrements.Derive(
        [
            Poll("2026-11-10T12:00:00Z", input: 1000),
            Poll("2026-11-10T13:00:00Z", input: 1300),
            Poll("2026-11-10T14:00:00Z", input: 1350),
        ]);

        Assert.Equal(
            [(November, 1000L), (At("2026-11-10T12:00:00Z"), 300L), (At("2026-11-10T13:00:00Z"), 50L)],
            result.Select(r => (r.BucketStart, r.Tokens.Input)));
    }

    [Fact]
    public void Derive_QuarterHourPolls_SumIntoTheirHour()
    {
        var result = MonthToDateIncrements.Derive(
        [
            Poll("2026-11-10T12:00:00Z", input: 0),
            Poll("2026-11-10T12:15:00Z", input: 10),
            Poll("2026-11-10T12:30:00Z", input: 30),
            Poll("2026-11-10T12:45:00Z", input: 35),
            Poll("2026-11-10T13:00:00Z", input: 60),
        ]);

        var hour = Assert.Single(result);
        Assert.Equal((At("2026-11-10T12:00:00Z"), BucketWidth.Hour, 60L), (hour.BucketStart, hour.Width, hour.Tokens.Input));
    }

    [Fact]
    public void Derive_GapOfHours_SpreadsEvenlyAndExactly()
    {
        var result = MonthToDateIncrements.Derive([Poll("2026-11-10T10:00:00Z", input: 0, cost: 0), Poll("2026-11-10T13:00:00Z", input: 100, cost: 10)]);

        Assert.Equal([33L, 33L, 34L], result.Select(r => r.Tokens.Input));
        Assert.Equal(10L, result.Sum(r => r.CostMicros));
        Assert.All(result, r => Assert.Equal(BucketWidth.Hour, r.Width));
    }

    [Fact]
    public void Derive_DownwardCorrection_TakesBackFromNewestGrowthAndNothingGoesNegative()
    {
        var result = MonthToDateIncrements.Derive(
        [
            Poll("2026-11-10T10:00:00Z", input: 1000),
            Poll("2026-11-10T11:00:00Z", input: 1100),
            Poll("2026-11-10T12:00:00Z", input: 1150),
            Poll("2026-11-10T13:00:00Z", input: 1020), // the provider revised 130 tokens away
        ]);

        Assert.Equal(1020L, result.Sum(r => r.Tokens.Input));
        Assert.All(result, r => Assert.True(r.Tokens.Input >= 0));
        Assert.Equal([(November, 1000L), (At("2026-11-10T10:00:00Z"), 20L)], result.Select(r => (r.BucketStart, r.Tokens.Input)));
    }

    [Fact]
    public void Derive_FinalPollAfterMonthEnd_LandsInTheMonth()
    {
        var result = MonthToDateIncrements.Derive(
        [
            Poll("2026-11-30T22:00:00Z", input: 500),
            Poll("2026-12-01T00:20:00Z", input: 620), // rollover: the month's final total, read in December
        ]);

        Assert.Equal(620L, result.Sum(r => r.Tokens.Input));
        Assert.All(result.Skip(1), r => Assert.True(r.BucketStart < November.AddMonths(1)));
        Assert.Equal([At("2026-11-30T22:00:00Z"), At("2026-11-30T23:00:00Z")], result.Skip(1).Select(r => r.BucketStart));
    }

    [Fact]
    public void Derive_CostMissingInAnyPoll_LeavesCostUnknown()
    {
        var result = MonthToDateIncrements.Derive([Poll("2026-11-10T10:00:00Z", input: 10, cost: 5), Poll("2026-11-10T11:00:00Z", input: 20)]);

        Assert.All(result, r => Assert.Null(r.CostMicros));
    }

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Derive_Units_GrowLikeTokens_AndSumToTheLatestPoll()
    {
        var result = MonthToDateIncrements.Derive(
        [
            Poll("2026-11-10T12:00:00Z", input: 0, units: 2),
            Poll("2026-11-10T14:00:00Z", input: 0, units: 6),
        ]);

        Assert.Equal([(November, 2L), (At("2026-11-10T12:00:00Z"), 2L), (At("2026-11-10T13:00:00Z"), 2L)], result.Select(r => (r.BucketStart, r.Units)));
    }

    private static MonthToDateSnapshot Poll(string at, long input, long? cost = null, long units = 0) => new()
    {
        Month = November,
        TakenAt = At(at),
        Tokens = new TokenCounts(input, 0, 0, 0, 0),
        Units = units,
        CostMicros = cost,
    };
}
