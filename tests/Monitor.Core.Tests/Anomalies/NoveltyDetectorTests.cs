using Monitor.Core.Anomalies;

namespace Monitor.Core.Tests.Anomalies;

public sealed class NoveltyDetectorTests
{
    private const long Start = 1_700_006_400; // a midnight UTC

    [Fact]
    public void Score_SortedTimestamps_InfersHourlyStepAndStaysInUnitRange()
    {
        var times = Enumerable.Range(0, 500).Select(i => Start + i * 3600L).ToArray();
        var values = Enumerable.Range(0, 500).Select(i => i == 400 ? 500.0 : Daily(i, 24)).ToArray();
        var scores = new double[500];

        SeriesScoring.Score(times, values, scores);

        Assert.Equal(TimeSpan.FromHours(1), SeriesStep.Infer(times));
        Assert.All(scores, s => Assert.InRange(s, 0, 1));
        Assert.True(scores[400] > 0.99);
        Assert.Equal(0, scores[..NoveltyDetector.WarmUp].Max());
    }

    [Fact]
    public void Next_NoisyDailyPatternForFourWeeks_ScoresNearOneAreRare()
    {
        var random = new Random(7);
        var detector = new NoveltyDetector(TimeSpan.FromMinutes(5));
        var high = 0;
        for (var i = 0; i < 28 * 288; i++)
        {
            if (detector.Next(Start + i * 300L, Daily(i, 288) * (0.9 + 0.2 * random.NextDouble())) >= 0.5)
                high++;
        }

        Assert.InRange(high, 0, 3);
    }

    [Fact]
    public void Next_LevelDropsForGood_FlaggedAtItsOnsetOnly()
    {
        var detector = new NoveltyDetector(TimeSpan.FromHours(1));
        const int drop = 28 * 24;
        var scores = new List<double>();
        for (var i = 0; i < drop + 14 * 24; i++)
            scores.Add(detector.Next(Start + i * 3600L, (i < drop ? 100 : 30) * (1 + 0.02 * Math.Sin(i * 1.3))));

        Assert.True(scores[drop] > 0.9);
        Assert.All(scores.Skip(drop + 1), score => Assert.True(score < 0.5, $"score {score}"));
    }

    [Fact]
    public void Next_BurstOnFiveMinuteSteps_ScoresItsStartOnly()
    {
        var detector = new NoveltyDetector(TimeSpan.FromMinutes(5));
        const int burst = 5 * 288;
        var scores = new List<double>();
        for (var i = 0; i < burst + 288; i++)
            scores.Add(detector.Next(Start + i * 300L, 10 * (1 + 0.02 * Math.Sin(i * 1.3)) * (i is >= burst and < burst + 30 ? 20 : 1)));

        Assert.True(scores[burst] > 0.99);
        Assert.All(scores.Skip(burst + 1), score => Assert.True(score < 0.5, $"score {score}"));
    }

    [Fact]
    public void Next_SecondLargerSpikeSoonAfterTheFirst_ScoresAgain()
    {
        var detector = new NoveltyDetector(TimeSpan.FromMinutes(5));
        var scores = new List<double>();
        for (var i = 0; i < 3 * 288; i++)
            scores.Add(detector.Next(Start + i * 300L, i == 600 ? 50 : i == 650 ? 500 : 10 + i % 3));

        Assert.True(scores[600] > 0.9);
        Assert.True(scores[650] > 0.9);
    }

    [Fact]
    public void Margin_AfterThinningPastCapacity_KeepsTheExtremes()
    {
        var history = new ExtremeHistory();
        for (var i = 0; i < 3 * ExtremeHistory.Capacity; i++)
            history.Add(i % 1000 == 999 ? -5 : i * 0.001);

        Assert.True(history.Count <= ExtremeHistory.Capacity);
        Assert.Equal(0, history.Margin(3 * ExtremeHistory.Capacity * 0.001 - 0.001), 6);
        Assert.Equal(0, history.Margin(-5), 6);
        Assert.True(history.Margin(100) > 10);
    }

    private static double Daily(int i, int perDay) => 10 + 8 * Math.Sin(2 * Math.PI * (i % perDay) / perDay);
}
