using System.Globalization;
using Monitor.Core.Pricing;
using Monitor.Storage;

namespace Monitor.Dashboard;

/// <summary>
/// The dashboard as static files (<c>monitor report --out DIR</c>): one HTML page per dashboard page
/// (the home page as <c>index.html</c>) with its charts as PNG files beside it, linked relatively, no forms and no
/// drill-down links, so the folder can be mailed, archived or served by any web server.
/// </summary>
public static class DashboardReport
{
    public sealed record Result(int Pages, int Charts);

    public static async Task<Result> WriteAsync(DashboardReader reader, string directory, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var context = new RenderContext { ChartUrl = ChartFile, PageUrl = PageFile };
        var charts = 0;
        foreach (var page in reader.Catalog.Pages)
        {
            var view = await reader.ReadPageAsync(page, ct);
            foreach (var panel in view.Panels.Where(p => p.Panel.Kind is PanelKind.Line or PanelKind.StackedBar))
            {
                IReadOnlyList<string?> currencies = panel.Panel.Metric == PanelMetric.Cost ? [.. panel.ChartCurrencies] : [null];
                foreach (var currency in currencies)
                {
                    var chart = await reader.ReadChartAsync(panel.Panel, currency is null ? null : Enum.Parse<Currency>(currency), ct);
                    await File.WriteAllBytesAsync(Path.Combine(directory, ChartFile(page.Slug, panel.Index, currency)), DashboardCharts.RenderPng(chart), ct);
                    charts++;
                }
            }

            await File.WriteAllTextAsync(Path.Combine(directory, PageFile(page)), DashboardHtml.Render(view, context), ct);
        }

        return new Result(reader.Catalog.Pages.Count, charts);
    }

    public static string PageFile(DashboardPage page) => page.Slug == DashboardCatalog.HomeSlug ? "index.html" : page.Slug + ".html";

    private static string ChartFile(string slug, int panel, string? currency) =>
        $"{slug}-{panel.ToString(CultureInfo.InvariantCulture)}{(currency is null ? "" : "-" + currency)}.png";
}
