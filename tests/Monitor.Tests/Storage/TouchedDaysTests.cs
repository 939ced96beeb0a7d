using Monitor.Storage;

namespace Monitor.Tests.Storage;

public sealed class TouchedDaysTests
{
    private const long Day = 86_400;
    private const long D0 = 20_000 * Day;

    [Fact]
    public void Ranges_RecordsOnAdjacentAndDistantDays_MergesAdjacentKeepsGaps()
    {
        var touched = new TouchedDays();
        touched.Add("a", D0 + 3600);
        touched.Add("a", D0 + 7200);
        touched.Add("a", D0 + Day + 60);
        touched.Add("a", D0 + (10 * Day));
        touched.Add("b", D0);

        Assert.Equal(
            [("a", D0, D0 + (2 * Day)), ("a", D0 + (10 * Day), D0 + (11 * Day)), ("b", D0, D0 + Day)],
            touched.Ranges());
    }

    [Fact]
    public void Ranges_WindowWithinAndBeyondRecordDays_CoversWholeDaysOfTheWindow()
    {
        var touched = new TouchedDays();
        touched.Add("a", D0 + (5 * Day));
        touched.AddWindow("a", D0 + 3600, D0 + (3 * Day) + 1); // 3 Day + 1 s ends inside day 3: day 3 is covered
        touched.AddWindow("a", D0 + (4 * Day), D0 + (5 * Day)); // ends exactly at day 5's start, which the record covers
        touched.AddWindow("a", D0 + (9 * Day), D0 + (9 * Day)); // empty

        Assert.Equal([("a", D0, D0 + (6 * Day))], touched.Ranges());
    }

    [Fact]
    public void Ranges_NothingWritten_IsEmpty()
    {
        var touched = new TouchedDays();

        Assert.True(touched.IsEmpty);
        Assert.Empty(touched.Ranges());
    }
}
