using Monitor.Core.Anomalies;
using Monitor.Tests.Shared;

namespace Monitor.Core.Tests.Anomalies;

public sealed class SeriesDetectorTests
{
    private static readonly DetectorSettings Hourly = DetectorSettings.ForStep(TimeSpan.FromHours(1));

    [Fact]
    public void Next_DuringWarmUp_ScoresZeroAndIsNotWarm()
    {
        var detector = new SeriesDetector(Hourly);
        for (var h = 0; h < Hourly.WarmUp; h++)
        {
            var point = detector.Next(h, 1000);
            Assert.Equal(0, point.Score);
            Assert.False(point.Warm);
        }

        Assert.True(detector.IsWarm);
    }

    [Fact]
    public void Next_TenfoldHourAfterSeasonalWeeks_ScoresAboveHalfAndFlagsSpike()
    {
        var detector = new SeriesDetector(Hourly);
        for (var h = 0; h < 21 * 24; h++)
            Assert.True(detector.Next(h, Seasonal(h)).Score < 0.5, $"hour {h}");

        var spike = detector.Next(21 * 24 + 10, Seasonal(21 * 24 + 10) * 10);

        Assert.True(spike.Score > 0.99);
        Assert.Equal(AnomalySignals.Spike, spike.Signals & AnomalySignals.Spike);
        Assert.InRange(spike.Expected, Seasonal(21 * 24 + 10) * 0.9, Seasonal(21 * 24 + 10) * 1.1);
    }

    [Fact]
    public void Next_PastIncident_DoesNotPoisonTheBaseline()
    {
        var detector = new SeriesDetector(Hourly);
        for (var h = 0; h < 21 * 24; h++)
            detector.Next(h, h is >= 14 * 24 and < 14 * 24 + 8 ? Seasonal(h) * 20 : Seasonal(h));

        var sameHourNextWeek = detector.Next(21 * 24, Seasonal(21 * 24));

        Assert.True(sameHourNextWeek.Score < 0.1);
        Assert.True(sameHourNextWeek.Expected < Seasonal(21 * 24) * 1.5, $"expected {sameHourNextWeek.Expected} for {Seasonal(21 * 24)}");
    }

    [Fact]
    public void Run_SustainedSpikeScenario_FindsItDatedAtItsStart()
    {
        var trace = AnomalyScenarios.One(AnomalyScenarios.Kind.SustainedSpike, new Random(3), "spike");

        var outcome = AnomalyScenarios.Run(trace, new AnomalyRules());

        var incident = Assert.Single(outcome.Incidents);
        Assert.Equal(AnomalyScenarios.FirstHour + trace.IncidentStart, incident.Start);
        Assert.True(incident.ReportableAt - incident.Start <= 2);
    }

    [Fact]
    public void Run_BenignScenarios_RaiseNoIncident()
    {
        foreach (var kind in new[] { AnomalyScenarios.Kind.Normal, AnomalyScenarios.Kind.Launch, AnomalyScenarios.Kind.HolidayLull })
        {
            var trace = AnomalyScenarios.One(kind, new Random(5), kind.ToString());
            Assert.Empty(AnomalyScenarios.Run(trace, new AnomalyRules()).Incidents);
        }
    }

    [Fact]
    public void Run_SlowRampScenario_FoundWithinFourDays()
    {
        var trace = AnomalyScenarios.One(AnomalyScenarios.Kind.SlowRamp, new Random(8), "ramp");

        var incident = AnomalyScenarios.Run(trace, new AnomalyRules()).Incidents.First(i => (i.Signals & AnomalySignals.Ramp) != 0);

        Assert.InRange(incident.ReportableAt!.Value - AnomalyScenarios.FirstHour - trace.IncidentStart, 0, 4 * 24);
    }

    [Theory]
    [InlineData(4.0, true)]  // 1x to 5x over two weeks: low and slow abuse
    [InlineData(0.4, false)] // a launch that lifts the level by 40% over two days and stays
    public void Next_GrowthAfterFourWeeks_RampOnlyWhenItKeepsGrowing(double by, bool ramp)
    {
        const int start = 28 * 24;
        var detector = new SeriesDetector(Hourly);
        int? firstRamp = null;
        for (var h = 0; h < start + 21 * 24; h++)
        {
            var factor = h < start ? 1 : 1 + by * Math.Min(1, (h - start) / (ramp ? 14.0 * 24 : 48.0));
            var point = detector.Next(h, Seasonal(h) * factor);
            if ((point.Signals & AnomalySignals.Ramp) != 0)
                firstRamp ??= h;
        }

        if (ramp)
            Assert.InRange(firstRamp ?? int.MaxValue, start + 24, start + 96);
        else
            Assert.Null(firstRamp);
    }

    [Fact]
    public void Restore_MidRamp_ScoresTheRestExactlyAsAnUninterruptedDetector()
    {
        const int start = 28 * 24;
        const int split = start + 40;
        double Value(long h) => Seasonal((int)h) * (h < start ? 1 : 1 + 3 * Math.Min(1, (h - start) / (14.0 * 24)));

        Resume.AssertSameAsUninterrupted(Value, 0, split, start + 7 * 24);
    }

    [Fact]
    public void Next_NightlyJobWithOrdinaryNoise_NoAnomalyOnAnyNight()
    {
        // Five busy hours a night, silent otherwise: the silent hours must not shrink the scale until 15% noise reads as spikes.
        var random = new Random(3);
        var detector = new SeriesDetector(Hourly);
        for (var h = 0; h < 8 * 7 * 24; h++)
        {
            var point = detector.Next(h, Nightly(h % 24) * (0.85 + 0.3 * random.NextDouble()));
            Assert.True(!point.Warm || point.Score < 0.5, $"hour {h}: score {point.Score}");
        }
    }

    [Fact]
    public void Next_NightlyJobAnHourLaterAfterAClockChange_NoSpike()
    {
        var detector = new SeriesDetector(Hourly);
        for (var h = 0; h < 6 * 7 * 24; h++)
            detector.Next(h, Nightly(h % 24));

        for (var h = 6 * 7 * 24; h < 7 * 7 * 24; h++)
        {
            var point = detector.Next(h, Nightly((h - 1) % 24));
            Assert.True(point.Score < 0.5, $"hour {h}: score {point.Score}");
        }
    }

    [Theory]
    [InlineData(8)]
    [InlineData(-6)]
    public void Next_OfficeMovesItsHours_SameDaysAtTheNewHoursScoreLowAfterTheFirst(int shift)
    {
        var anomalous = AnomalousAfterMove(shift, weeks: 3);

        // Seen to have moved once its old hours stay quiet, within its first day at the new hours.
        Assert.True(anomalous.All(h => h < 5 * 7 * 24 + 24), $"anomalous at {string.Join(", ", anomalous)}");
    }

    [Theory]
    [InlineData(-4)]
    [InlineData(-6)]
    [InlineData(-8)]
    public void Next_OfficeMovesItsHoursEarlier_FirstDayAtTheNewHoursNotAnomalous(int shift)
    {
        var anomalous = AnomalousAfterMove(shift, weeks: 1);

        // Its day's first hours come before its old hours have had the chance to go quiet: the same day, earlier.
        Assert.True(anomalous.Count == 0, $"anomalous at {string.Join(", ", anomalous)}");
    }

    [Fact]
    public void Next_NightBurstOnAnOfficeKey_StillASpike()
    {
        var detector = new SeriesDetector(Hourly);
        for (var h = 0; h < 5 * 7 * 24; h++)
            detector.Next(h, Seasonal(h));

        var burst = 5 * 7 * 24 + 24 + 1;
        for (var h = 5 * 7 * 24; h < burst; h++)
            detector.Next(h, Seasonal(h));
        var scores = Enumerable.Range(burst, 5).Select(h => detector.Next(h, 15).Score).ToList();

        Assert.All(scores, s => Assert.True(s >= 0.5, $"scores {string.Join(", ", scores)}"));
    }

    [Fact]
    public void Next_WarmUpWithABusierDay_TwiceAndMoreOnThatWeekdayLaterStillASpike()
    {
        // The first week (learned only, and remembered) has a day 40% busier than the others: ordinary variation, not
        // a recurring day that would hide twice its level on that weekday from then on.
        var detector = new SeriesDetector(Hourly);
        for (var h = 0; h < 6 * 7 * 24; h++)
            detector.Next(h, Seasonal(h) * (h / 24 == 2 ? 1.4 : 1));

        var scores = Enumerable.Range(6 * 7 * 24 + 2 * 24 + 10, 4).Select(h => detector.Next(h, Seasonal(h) * 2.6).Score).ToList();

        Assert.True(scores.Max() >= 0.5, $"scores {string.Join(", ", scores)}");
    }

    // Five weeks of office days, then `weeks` of the same days moved by `shift` hours: the hours that score anomalous.
    private static List<int> AnomalousAfterMove(int shift, int weeks)
    {
        var detector = new SeriesDetector(Hourly);
        for (var h = 0; h < 5 * 7 * 24; h++)
            detector.Next(h, Seasonal(h));

        var anomalous = new List<int>();
        for (var h = 5 * 7 * 24; h < (5 + weeks) * 7 * 24; h++)
        {
            if (detector.Next(h, Seasonal(h - shift)).Score >= 0.5)
                anomalous.Add(h);
        }

        return anomalous;
    }

    // A nightly batch: 01:00 to 06:00, nothing by day.
    private static double Nightly(int hourOfDay) => hourOfDay is >= 1 and < 6 ? 10 - hourOfDay : 0;

    private static double Seasonal(int hour)
    {
        var day = hour / 24 % 7;
        var office = hour % 24 is >= 8 and < 18 ? 10.0 : 1.0;
        return office * (day >= 5 ? 0.3 : 1) * (1 + 0.05 * Math.Sin(hour * 0.7));
    }
}
