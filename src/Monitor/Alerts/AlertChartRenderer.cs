using Monitor.Core.Alerts;
using Monitor.Dashboard;
using ScottPlot;

namespace Monitor.Alerts;

/// <summary>Draws an alert's <see cref="AlertChart"/> as a PNG for the email (a fresh Plot per call: Plot is not thread-safe).</summary>
public static class AlertChartRenderer
{
    public const int Width = 720;
    public const int Height = 300;

    public static byte[] RenderPng(AlertChart chart)
    {
        using var plot = new Plot();
        var points = chart.Series.SelectMany(s => s.Points).ToList();
        var span = points.Count > 1 ? points.Max(p => p.At) - points.Min(p => p.At) : TimeSpan.Zero;
        DashboardCharts.Style(plot, chart.Unit, dark: false, span > TimeSpan.FromDays(2) ? "MMM d" : "HH:mm");
        plot.Title(chart.Title, size: 14);

        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < chart.Series.Count; i++)
        {
            var series = chart.Series[i];
            if (series.Points.Count == 0)
                continue;
            var line = plot.Add.Scatter(
                series.Points.Select(p => p.At.UtcDateTime.ToOADate()).ToArray(), series.Points.Select(p => p.Value).ToArray());
            line.Color = palette.GetColor(i);
            line.LineWidth = 2;
            line.MarkerSize = series.Points.Count > 40 ? 0 : 3;
            line.LinePattern = series.Style == AlertChartStyle.Dashed ? LinePattern.Dashed : LinePattern.Solid;
            line.LegendText = series.Name;
        }

        foreach (var reference in chart.Lines)
        {
            var h = plot.Add.HorizontalLine(reference.Value);
            h.Color = Color.FromHex("#b91c1c");
            h.LineWidth = 1.5f;
            h.LinePattern = reference.Style == AlertChartStyle.Dashed ? LinePattern.Dashed : LinePattern.Solid;
            h.LegendText = reference.Label;
        }

        if (points.Count == 0 && chart.Lines.Count == 0)
            plot.Add.Annotation("No data", Alignment.MiddleCenter);
        plot.ShowLegend(Edge.Bottom);
        plot.Axes.AutoScale();
        plot.Axes.Margins(bottom: 0, top: 0.1);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }
}
