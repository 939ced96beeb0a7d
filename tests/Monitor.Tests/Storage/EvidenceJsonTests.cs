using Monitor.Core.Alerts;
using Monitor.Storage;

namespace Monitor.Tests.Storage;

public sealed class EvidenceJsonTests
{
    [Fact]
    public void Read_WrittenEvidenceWithChart_GivesBackEveryField()
    {
        var at = new DateTimeOffset(2026, 11, 22, 15, 0, 0, TimeSpan.Zero);
        var evidence = new AlertEvidence
        {
            Facts = [new AlertFact("Spent", "EUR 104.00")],
            Breakdowns = [new AlertBreakdown("Top models", [new AlertFact("mistral-large", "EUR 78.00")])],
            Runbook = ["Look at the top keys"],
            Chart = new AlertChart
            {
                Title = "Spend this month", Unit = "EUR",
                Series = [new AlertChartSeries("spend", [new AlertChartPoint(at, 1.5), new AlertChartPoint(at.AddHours(1), 2.25)]),
                          new AlertChartSeries("forecast", [new AlertChartPoint(at.AddHours(1), 2.25)], AlertChartStyle.Dashed)],
                Lines = [new AlertChartLine("budget", 100, AlertChartStyle.Solid)],
            },
        };

        var read = EvidenceJson.Read(EvidenceJson.Write(evidence));

        Assert.Equal(evidence.Facts, read.Facts);
        Assert.Equal(evidence.Breakdowns[0].Rows, read.Breakdowns.Single().Rows);
        Assert.Equal(evidence.Runbook, read.Runbook);
        var chart = Assert.IsType<AlertChart>(read.Chart);
        Assert.Equal(("Spend this month", "EUR"), (chart.Title, chart.Unit));
        Assert.Equal(evidence.Chart.Series.Select(s => (s.Name, s.Style)), chart.Series.Select(s => (s.Name, s.Style)));
        Assert.Equal(evidence.Chart.Series.SelectMany(s => s.Points), chart.Series.SelectMany(s => s.Points));
        Assert.Equal(evidence.Chart.Lines, chart.Lines);
    }
}
