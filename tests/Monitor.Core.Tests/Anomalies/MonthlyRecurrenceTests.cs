using Monitor.Core.Alerts;
using Monitor.Core.Anomalies;
using Monitor.Tests.Shared;

namespace Monitor.Core.Tests.Anomalies;

/// <summary>
/// Jobs that come back at the same point of every month or quarter are the key's normal once seen: they alert at most
/// the first time. A leak on such a day still alerts.
/// </summary>
public sealed class MonthlyRecurrenceTests
{
    private const double Daily = 48;

    /// <summary>2026-01-01 00:00 UTC, as an hour index since the Unix epoch.</summary>
    private static readonly long FirstHour = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds() / 3600;

    [Fact]
    public void Score_MonthEndBatchThreeMonthsRunning_AlertsAtMostOnItsFirstOccurrence()
    {
        // The last two days of January, February, March and April.
        var cost = WithMonthEndBatches(125);
        var batches = MonthEnds(cost.Length, last: 2).ToList();

        var incidents = Score(cost);

        Assert.Equal(8, batches.Count);
        Assert.DoesNotContain(incidents, i => Hour(i) >= batches[2] * 24); // February, March and April: none
        Assert.InRange(incidents.Count, 0, 2);
    }

    [Fact]
    public void Score_QuarterEndJob_AlertsAtMostOnTheFirstQuarterEnd()
    {
        // The last two days of March, June, September and December, in the morning; nothing at other month ends.
        var cost = Office(365);
        var jobs = MonthEnds(cost.Length, last: 2).Where(d => Date(d).Month % 3 == 0).ToList();
        foreach (var day in jobs)
            Burn(cost, day * 24 + 6, 8, Daily * 3 / 8);

        var incidents = Score(cost);

        Assert.Equal(8, jobs.Count);
        Assert.DoesNotContain(incidents, i => Hour(i) >= jobs[2] * 24); // June, September, December: none
        Assert.InRange(incidents.Count, 0, 2);
    }

    [Fact]
    public void Score_QuarterEndJobFirstSeenAfterTheHistory_NotedNotAlerted()
    {
        // History from January 1st shows no quarter end; March's last two days run a job of three days' spend.
        var cost = Office(100);
        var jobs = MonthEnds(cost.Length, last: 2).Where(d => Date(d).Month == 3).ToList();
        foreach (var day in jobs)
            Burn(cost, day * 24 + 6, 8, Daily * 3 / 8);

        var all = ScoreAll(cost);

        Assert.DoesNotContain(all, i => !i.NotedOnly);
        var noted = Assert.Single(all);
        Assert.InRange(Hour(noted), jobs[0] * 24, jobs[^1] * 24 + 24);
        var alert = AnomalyAlert.Compose(new AnomalyScope("acct", "ws", "key", null, "USD"), noted, TimeSpan.FromHours(1), [], []);
        Assert.Equal(AlertSeverity.Info, alert.Severity);
        Assert.EndsWith(":noted", alert.DedupKey, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(30, 3.0)] // a leak at a quarter's close that goes on into the next quarter
    [InlineData(8, 12.0)] // a surge far beyond the key's usual peak on a quarter's last day
    public void Score_IncidentOnAFirstQuarterEnd_StillAlerts(int hours, double perHourOfDaily)
    {
        var cost = Office(100);
        var from = MonthEnds(cost.Length, last: 1).Single(d => Date(d).Month == 3) * 24 + 6;
        Burn(cost, from, hours, Daily * perHourOfDaily / 8);

        var incident = Assert.Single(Score(cost));

        Assert.Equal(FirstHour + from, incident.Start);
    }

    [Fact]
    public void Score_MonthEndJobOnANoisySmallKey_AlertsAtMostOnItsFirstOccurrence()
    {
        // A small key whose hours vary by a factor of two or more: its month-end job stands out as a day's growth
        // (a ramp), never as a spike, and is remembered all the same.
        var random = new Random(29);
        var cost = Office(240).Select(c => c / 12 * Math.Exp(0.8 * Gaussian(random))).ToArray();
        var jobs = MonthEnds(cost.Length, last: 1).ToList();
        foreach (var day in jobs)
            Burn(cost, day * 24 + 18, 6, Daily / 12 * 2.5 / 6 * Math.Exp(0.2 * Gaussian(random)));

        var incidents = Score(cost);

        Assert.True(jobs.Count >= 7);
        Assert.DoesNotContain(incidents, i => Hour(i) >= jobs[2] * 24 - 24);
    }

    [Fact]
    public void Score_LeakOnAMonthEndBatchDay_StillAlertsAtItsStart()
    {
        // The batch is the key's normal by April; a leak starts on April's last day, above the batch and round the clock.
        var cost = WithMonthEndBatches(125);
        var leak = MonthEnds(cost.Length, last: 1).Last() * 24 + 10;
        Burn(cost, leak, 30, Daily / 24 * 12);

        var incidents = Score(cost);

        var incident = incidents.First(i => Hour(i) >= leak - 24);
        Assert.Equal(FirstHour + leak, incident.Start);
        Assert.InRange(incident.ReportableAt!.Value - incident.Start, 0, 2);
    }

    [Fact]
    public void Score_MonthStartJobSeenInTheFirstWeekOnly_NoAlertAtTheNextMonthStart()
    {
        // The trace starts on January 1st: January's job falls in the week the detector only learns.
        var cost = Office(70);
        var starts = Enumerable.Range(0, 70).Where(d => Date(d).Day == 1).ToList();
        foreach (var day in starts)
            Burn(cost, day * 24 + 2, 3, Daily);

        var incidents = Score(cost);

        Assert.Equal(3, starts.Count);
        Assert.True(incidents.Count == 0, $"incidents from hour {string.Join(", ", incidents.Select(Hour))}");
    }

    [Fact]
    public void Restore_OnAMonthEndBatchDay_ScoresTheRestExactlyAsAnUninterruptedDetector()
    {
        // Saved in the middle of March's batch, with January's and February's remembered.
        var cost = WithMonthEndBatches(100);
        var split = MonthEnds(cost.Length, last: 1).Last() * 24 + 20;

        Resume.AssertSameAsUninterrupted(step => cost[step - FirstHour], FirstHour, FirstHour + split, FirstHour + cost.Length);
    }

    // An office key with a batch of four times its day on the last two days of every month, in the evening (UTC).
    private static double[] WithMonthEndBatches(int days)
    {
        var cost = Office(days);
        foreach (var day in MonthEnds(cost.Length, last: 2))
            Burn(cost, day * 24 + 18, 6, Daily * 4 / 6);
        return cost;
    }

    private static IReadOnlyList<AnomalyIncident> Score(double[] cost) =>
        AnomalyScenarios.Score(FirstHour, cost, [.. cost.Select(c => Math.Round(c / 4e-6))], [.. cost.Select(c => Math.Round(c / 4e-6 / 2000))], [], new AnomalyRules());

    private static IReadOnlyList<AnomalyIncident> ScoreAll(double[] cost) =>
        AnomalyScenarios.ScoreAll(FirstHour, cost, [.. cost.Select(c => Math.Round(c / 4e-6))], [.. cost.Select(c => Math.Round(c / 4e-6 / 2000))], [], new AnomalyRules());

    private static long Hour(AnomalyIncident incident) => incident.Start - FirstHour;

    private static DateOnly Date(int day) => DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeSeconds((FirstHour + day * 24) * 3600).UtcDateTime);

    // The trace's days that are among the last `last` days of their month.
    private static IEnumerable<int> MonthEnds(int hours, int last) =>
        Enumerable.Range(0, hours / 24).Where(d => DateTime.DaysInMonth(Date(d).Year, Date(d).Month) - Date(d).Day < last);

    // An office-hours key spending about 48 a day on weekdays (UTC), with mild noise (the same every run).
    private static double[] Office(int days)
    {
        var random = new Random(17);
        var cost = new double[days * 24];
        for (var h = 0; h < cost.Length; h++)
        {
            var weekend = Date(h / 24).DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
            var shape = h % 24 is >= 8 and < 18 ? 2.0 : 0.2;
            cost[h] = Daily / 24 * shape * (weekend ? 0.3 : 1) * (0.85 + 0.3 * random.NextDouble());
        }

        return cost;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static void Burn(double[] cost, int from, int hours, double perHour)
    {
        for (var h = from; h < Math.Min(cost.Length, from + hours); h++)
            cost[h] += perHour;
    }
}
