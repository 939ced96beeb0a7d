using Microsoft.Extensions.Options;
using Monitor.Core.Pricing;
using Monitor.Hosting;

namespace Monitor.Dashboard;

/// <summary>Reads what a page or a chart shows, for "now" from the injected clock (windows are UTC).</summary>
public sealed class DashboardReader(DashboardRepository repository, DashboardCatalog catalog, TimeProvider clock, IOptions<MonitorOptions> options)
{
    public async Task<DashboardView> ReadPageAsync(DashboardPage page, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var panels = new List<PanelView>();
        for (var i = 0; i < page.Panels.Count; i++)
            panels.Add(await ReadPanelAsync(i, page.Panels[i], now, ct));

        var unpricedFrom = panels.Min(p => p.From);
        var unpricedTo = panels.Max(p => p.To);
        return new DashboardView
        {
            Page = page,
            Navigation = catalog.Pages,
            Now = now,
            Panels = panels,
            Freshness = await repository.FreshnessAsync(ct),
            StaleAfter = options.Value.Pull.StaleAfter,
            SpendLimits = await repository.SpendLimitsAsync(ct),
            Unpriced = await repository.UnpricedModelsAsync(unpricedFrom, unpricedTo, ct),
            UnpricedFrom = unpricedFrom,
            UnpricedTo = unpricedTo,
        };
    }

    /// <summary>The data of a chart panel; <paramref name="currency"/> is required for cost and ignored otherwise.</summary>
    public async Task<ChartData> ReadChartAsync(DashboardPanel panel, Currency? currency, CancellationToken ct)
    {
        var (from, to) = panel.Window.RangeOf(clock.GetUtcNow());
        if (panel.Metric == PanelMetric.Cost)
        {
            var code = currency?.ToString() ?? throw new ArgumentNullException(nameof(currency), "A cost chart needs a currency");
            var daily = await repository.DailyAsync(panel.Metric, panel.Grouping, from, to, code, ct);
            return DashboardCharts.Build(panel.Kind, $"{code} per day", daily, from, to, panel.Limit,
                micros => (double)MoneyUnits.FromMicros(micros));
        }

        var values = await repository.DailyAsync(panel.Metric, panel.Grouping, from, to, null, ct);
        var unit = panel.Metric == PanelMetric.Tokens ? "tokens per day" : "requests per day";
        return panel.Grouping == PanelGrouping.TokenCategory
            ? DashboardCharts.Build(panel.Kind, unit, values, from, to, DashboardRepository.TokenCategoryLabels.Count,
                v => v, DashboardRepository.TokenCategoryLabels)
            : DashboardCharts.Build(panel.Kind, unit, values, from, to, panel.Limit, v => v);
    }

    private async Task<PanelView> ReadPanelAsync(int index, DashboardPanel panel, DateTimeOffset now, CancellationToken ct)
    {
        var (from, to) = panel.Window.RangeOf(now);
        var view = new PanelView { Index = index, Panel = panel, From = from, To = to };
        if (panel.Kind != PanelKind.Table)
        {
            return panel.Metric == PanelMetric.Cost
                ? view with
                {
                    ChartCurrencies = await repository.CostCurrenciesAsync(from, to, ct),
                    Unpriced = await repository.UnpricedModelsAsync(from, to, ct),
                }
                : view;
        }

        var all = await repository.TotalsAsync(panel.Metric, panel.Grouping, from, to, ct);
        if (panel.Metric != PanelMetric.Cost)
        {
            return view with
            {
                Rows = [.. all.Take(panel.Limit)],
                Totals = all.Count > 1
                    ? [new GroupTotal { Label = "Total", Value = all.Sum(r => r.Value), Requests = all.Sum(r => r.Requests) }]
                    : [],
            };
        }

        var byCurrency = all.GroupBy(r => r.Currency ?? "", StringComparer.Ordinal).ToList();
        return view with
        {
            Rows = [.. byCurrency.SelectMany(g => g.Take(panel.Limit))],
            Totals =
            [
                .. byCurrency.Where(g => g.Count() > 1).Select(g => new GroupTotal
                {
                    Label = "Total",
                    Currency = g.Key,
                    Value = g.Sum(r => r.Value),
                    PricedBuckets = g.Sum(r => r.PricedBuckets),
                    UnpricedBuckets = g.Sum(r => r.UnpricedBuckets),
                    Requests = g.Sum(r => r.Requests),
                }),
            ],
        };
    }
}
