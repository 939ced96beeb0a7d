using Monitor.Core.Anomalies;

namespace Monitor.Core.Tests.Anomalies;

public sealed class RecurrenceMemoryTests
{
    /// <summary>2026-01-01 00:00 UTC, as an hour index since the Unix epoch.</summary>
    private static readonly long FirstHour = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds() / 3600;

    [Fact]
    public void Expect_ConfirmedJobMovedOnceByAHoliday_StillExpectedAtItsHoursTheMonthAfter()
    {
        // A night job (02:00-05:00) on the 1st of February, March and April, on the 6th in May (after a holiday), and an
        // evening report (20:00) on every 1st, May's included: May's occasion is seen, without the night job.
        var memory = new RecurrenceMemory(3_600);
        var june = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        for (var h = FirstHour; h < june.ToUnixTimeSeconds() / 3600; h++)
        {
            var at = DateTimeOffset.FromUnixTimeSeconds(h * 3600);
            var night = at.Month > 1 && at.Day == (at.Month == 5 ? 6 : 1) && at.Hour is >= 2 and < 5;
            var evening = at.Month > 1 && at.Day == 1 && at.Hour == 20;
            memory.Expect(h);
            memory.Observe(h, night || evening ? 5 : 0, 0, 0.1, false);
        }

        var (level, _) = memory.Expect(june.ToUnixTimeSeconds() / 3600 + 3);

        Assert.True(level >= 4, $"expected {level} at 03:00 on June 1st");
    }
}
