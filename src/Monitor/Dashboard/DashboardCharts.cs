using System.Globalization;
using Monitor.Storage;
using ScottPlot;

namespace Monitor.Dashboard;

/// <summary>
/// Pure chart functions: daily values to <see cref="ChartData"/> (top groups plus "other"), and
/// <see cref="ChartData"/> to PNG bytes through a fresh ScottPlot <see cref="Plot"/> per call (Plot is not thread-safe).
/// </summary>
public static class DashboardCharts
{
    public const int Width = 900;
    public const int Height = 320;
    public const string OtherLabel = "other";

    private const int MaxLegendLabel = 32;

    // ScottPlot's own sans choice is not installed on a bare Debian host and it falls back to a serif face:
    // take the first clean sans-serif family that the system has.
    private static readonly string[] PreferredFonts =
        ["Inter", "Segoe UI", "Helvetica Neue", "Arial", "Liberation Sans", "Noto Sans", "DejaVu Sans"];

    private static readonly Lazy<string> FontName = new(() =>
    {
        var installed = SkiaSharp.SKFontManager.Default.GetFontFamilies().ToHashSet(StringComparer.OrdinalIgnoreCase);
        return PreferredFonts.FirstOrDefault(installed.Contains) ?? Fonts.Sans;
    });

    /// <summary>
    /// Arranges daily values by day in [from, to): the <paramref name="limit"/> largest groups keep their own series
    /// (largest first), the rest are summed into "other". <paramref name="scale"/> turns stored units into plotted
    /// units (micro-units to currency units for money). <paramref name="fixedOrder"/> keeps a given series order
    /// (token categories) and shows every series even when it is all zero.
    /// </summary>
    public static ChartData Build(
        PanelKind kind, string yLabel, IReadOnlyList<DailyValue> values, DateTimeOffset from, DateTimeOffset to,
        int limit, Func<long, double> scale, IReadOnlyList<string>? fixedOrder = null)
    {
        var days = new List<DateTime>();
        for (var day = from.UtcDateTime.Date; day < to.UtcDateTime; day = day.AddDays(1))
            days.Add(day);
        var index = days.Select((d, i) => (Seconds: new DateTimeOffset(d, TimeSpan.Zero).ToUnixTimeSeconds(), i))
            .ToDictionary(x => x.Seconds, x => x.i);

        var totals = values.GroupBy(v => v.Label, StringComparer.Ordinal)
            .Select(g => (Label: g.Key, Total: g.Sum(v => v.Value)))
            .ToList();
        var order = fixedOrder is not null
            ? [.. fixedOrder]
            : totals.Where(t => t.Total != 0).OrderByDescending(t => t.Total).ThenBy(t => t.Label, StringComparer.Ordinal)
                .Select(t => t.Label).ToList();
        var kept = order.Take(limit).ToList();
        var keptSet = kept.ToHashSet(StringComparer.Ordinal);
        var hasOther = order.Count > limit;

        var sums = kept.Concat(hasOther ? [OtherLabel] : []).ToDictionary(l => l, _ => new long[days.Count], StringComparer.Ordinal);
        foreach (var v in values)
        {
            if (!index.TryGetValue(v.Day, out var i))
                continue;
            var label = keptSet.Contains(v.Label) ? v.Label : hasOther ? OtherLabel : null;
            if (label is not null)
                sums[label][i] += v.Value;
        }

        return new ChartData
        {
            Kind = kind,
            YLabel = yLabel,
            Days = days,
            Series = [.. sums.Select(s => new ChartSeries(s.Key, [.. s.Value.Select(scale)]))],
        };
    }

    /// <summary>Draws the chart and returns PNG bytes (ScottPlot's default format is BMP, so PNG is explicit).</summary>
    /// <param name="dark">Draw for a dark page (the served dashboard offers it to <c>prefers-color-scheme: dark</c>).</param>
    public static byte[] RenderPng(ChartData chart, int width = Width, int height = Height, bool dark = false)
    {
        var plot = new Plot();
        try
        {
            Style(plot, chart.YLabel, dark);
            var palette = new ScottPlot.Palettes.Category10();
            var xs = chart.Days.Select(d => d.ToOADate()).ToArray();
            var drawn = 0;

            if (chart.Kind == PanelKind.StackedBar)
            {
                var baseline = new double[xs.Length];
                var bars = new List<Bar>();
                for (var s = 0; s < chart.Series.Count; s++)
                {
                    var color = palette.GetColor(s);
                    var values = chart.Series[s].Values;
                    for (var d = 0; d < xs.Length; d++)
                    {
                        if (values[d] == 0)
                            continue;
                        bars.Add(new Bar
                        {
                            Position = xs[d],
                            ValueBase = baseline[d],
                            Value = baseline[d] + values[d],
                            FillColor = color,
                            LineWidth = 0,
                            Size = 0.8,
                        });
                        baseline[d] += values[d];
                    }

                    plot.Legend.ManualItems.Add(new LegendItem { LabelText = Shorten(chart.Series[s].Label), FillColor = color });
                    drawn++;
                }

                if (bars.Count > 0)
                    plot.Add.Bars(bars);
            }
            else
            {
                for (var s = 0; s < chart.Series.Count; s++)
                {
                    var line = plot.Add.Scatter(xs, chart.Series[s].Values.ToArray());
                    line.Color = palette.GetColor(s);
                    line.LineWidth = 2;
                    line.MarkerSize = xs.Length > 45 ? 0 : 4;
                    line.LegendText = Shorten(chart.Series[s].Label);
                    drawn++;
                }
            }

            if (drawn == 0)
            {
                plot.Add.Annotation("No usage in this window", Alignment.MiddleCenter);
                if (xs.Length > 0)
                    plot.Axes.SetLimits(xs[0] - 0.5, xs[^1] + 0.5, 0, 1);
            }
            else
            {
                plot.ShowLegend(Edge.Right);
                plot.Axes.AutoScale();
                plot.Axes.Margins(bottom: 0);
                if (xs.Length > 0)
                    plot.Axes.SetLimitsX(xs[0] - 0.6, xs[^1] + 0.6);
            }

            return plot.GetImageBytes(width, height, ImageFormat.Png);
        }
        finally
        {
            plot.Dispose();
        }
    }

    /// <summary>The house style of every chart (dashboard and alert mail): colours, font, axes, legend.</summary>
    public static void Style(Plot plot, string yLabel, bool dark, string dateFormat = "MMM d")
    {
        var background = dark ? Color.FromHex("#161b22") : Colors.White;
        plot.FigureBackground.Color = background;
        plot.DataBackground.Color = background;
        plot.Axes.Color(Color.FromHex(dark ? "#c9d1d9" : "#4b5563"));
        plot.Grid.MajorLineColor = Color.FromHex(dark ? "#30363d" : "#e5e7eb");
        plot.Legend.BackgroundColor = background;
        plot.Legend.FontColor = Color.FromHex(dark ? "#e5e7eb" : "#111827");
        plot.Axes.Right.FrameLineStyle.Width = 0;
        plot.Axes.Top.FrameLineStyle.Width = 0;
        plot.Font.Set(FontName.Value);
        plot.Axes.DateTimeTicksBottom().TickGenerator = new ScottPlot.TickGenerators.DateTimeAutomatic
        {
            LabelFormatter = d => d.ToString(dateFormat, CultureInfo.InvariantCulture),
        };
        plot.Axes.Left.Label.Text = yLabel;
        plot.Axes.Left.Label.FontSize = 13;
        plot.Axes.Left.Label.Bold = false;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = Compact };
        plot.Legend.FontSize = 12;
        plot.Legend.OutlineWidth = 0;
        plot.Legend.ShadowColor = Colors.Transparent;
    }

    /// <summary>Axis labels: 950, 12.5k, 3.2M, 1.1B (invariant).</summary>
    public static string Compact(double value)
    {
        var abs = Math.Abs(value);
        return abs switch
        {
            >= 1e9 => (value / 1e9).ToString("0.#", CultureInfo.InvariantCulture) + "B",
            >= 1e6 => (value / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + "M",
            >= 1e4 => (value / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + "k",
            _ => value.ToString("0.##", CultureInfo.InvariantCulture),
        };
    }

    private static string Shorten(string label)
    {
        if (label.Length == 0)
            return "(none)";
        return label.Length <= MaxLegendLabel ? label : label[..(MaxLegendLabel - 1)] + "…";
    }
}
