using Monitor.Core.Deprecations;

namespace Monitor.Core.Tests.Deprecations;

public sealed class MilestonesTests
{
    private static readonly DateTimeOffset Retires = new(2026, 8, 31, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2026-06-01T23:59:59Z", null, 91)]
    [InlineData("2026-06-02T00:00:00Z", "90d", 90)]
    [InlineData("2026-07-31T23:59:59Z", "90d", 31)]
    [InlineData("2026-08-01T00:00:00Z", "30d", 30)]
    [InlineData("2026-08-24T00:00:00Z", "7d", 7)]
    [InlineData("2026-08-30T00:00:00Z", "1d", 1)]
    [InlineData("2026-08-31T00:00:00Z", "0d", 0)]
    [InlineData("2026-08-31T11:59:59Z", "0d", 0)]
    public void Before_DeprecationSteps_CrossAtUtcMidnight(string now, string? code, int daysLeft)
    {
        var at = DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture);

        var step = Milestones.Before(Retires, at, Milestones.Deprecation);

        Assert.Equal(code, step?.Code);
        Assert.Equal(daysLeft, Milestones.DaysLeft(Retires, at));
    }

    [Fact]
    public void Before_AtOrAfterTheDeadline_IsNull()
    {
        Assert.Null(Milestones.Before(Retires, Retires, Milestones.Deprecation));
    }

    [Fact]
    public void Before_InANonUtcOffset_UsesTheUtcDay()
    {
        // 01:00 at +02:00 is still the previous UTC day: 31 days left, so the 30-day step has not started.
        var now = new DateTimeOffset(2026, 8, 1, 1, 0, 0, TimeSpan.FromHours(2));

        Assert.Equal("90d", Milestones.Before(Retires, now, Milestones.Deprecation)!.Code);
    }

    [Theory]
    [InlineData(0, "overdue-w0")]
    [InlineData(6 * 24 + 23, "overdue-w0")]
    [InlineData(7 * 24, "overdue-w1")]
    [InlineData(21 * 24 + 5, "overdue-w3")]
    public void Overdue_WeeksSinceTheDeadline(int hoursPast, string code)
    {
        Assert.Equal(code, Milestones.Overdue(Retires, Retires.AddHours(hoursPast))!.Code);
    }

    [Fact]
    public void Overdue_BeforeTheDeadline_IsNull()
    {
        Assert.Null(Milestones.Overdue(Retires, Retires.AddSeconds(-1)));
    }
}
