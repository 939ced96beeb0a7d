using Monitor.Dashboard;
using Monitor.Storage;

namespace Monitor.Tests.Dashboard;

public sealed class DashboardChartsTests
{
    private static readonly DateTimeOffset From = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly long Day1 = From.ToUnixTimeSeconds();
    private static readonly long Day2 = From.AddDays(1).ToUnixTimeSeconds();

    [Fact]
    public void Build_MoreGroupsThanLimit_FoldsSmallestIntoOther()
    {
        DailyValue[] values =
        [
            new() { Day = Day1, Label = "a", Value = 50 },
            new() { Day = Day2, Label = "b", Value = 30 },
            new() { Day = Day2, Label = "c", Value = 5 },
            new() { Day = Day1, Label = "d", Value = 1 },
        ];

        var chart = DashboardCharts.Build(PanelKind.StackedBar, "EUR per day", values, From, From.AddDays(3), 2, v => v);

        Assert.Equal(3, chart.Days.Count);
        Assert.Equal(["a", "b", DashboardCharts.OtherLabel], chart.Series.Select(s => s.Label));
        Assert.Equal([1.0, 5.0, 0.0], chart.Series[2].Values);
    }

    [Theory]
    [InlineData(PanelKind.StackedBar)]
    [InlineData(PanelKind.Line)]
    public void RenderPng_Series_ReturnsPngOfRequestedSize(PanelKind kind)
    {
        DailyValue[] values = [new() { Day = Day1, Label = "m1", Value = 3 }, new() { Day = Day2, Label = "m2", Value = 4 }];
        var chart = DashboardCharts.Build(kind, "tokens per day", values, From, From.AddDays(7), 10, v => v);

        var png = DashboardCharts.RenderPng(chart);

        Assert.Equal([0x89, 0x50, 0x4E, 0x47], png[..4]);
        Assert.Equal(DashboardCharts.Width, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(DashboardCharts.Height, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }
}
