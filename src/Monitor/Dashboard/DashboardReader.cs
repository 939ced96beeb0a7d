using Microsoft.Extensions.Options;
using Monitor.Core.Pricing;
using Monitor.Hosting;
using Monitor.Storage;

namespace Monitor.Dashboard;

/// <summary>
/// Reads what a page or a chart shows, for "now" from the injected clock (windows are UTC). Budgets, deprecations
/// and keys due come from the registered sources (none registered: the page says nothing is configured).
/// </summary>
public sealed class DashboardReader(
    DashboardRepository repository,
    DashboardCatalog catalog,
    TimeProvider clock,
    IOptions<MonitorOptions> options,
    AlertRepository alerts,
    OutboxRepository outbox,
    IEnumerable<IBudgetGaugeSource> budgets,
    IEnumerable<IDeprecationSource> deprecations,
    IEnumerable<IKeyRotationSource> keyRotations)
{
    /// <summary>How many open alerts a page lists at most.</summary>
    public const int AlertLimit = 200;

    public DashboardCatalog Catalog => catalog;

    public DateTimeOffset Now => clock.GetUtcNow();

    public async Task<DashboardView> ReadPageAsync(DashboardPage page, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var panels = new List<PanelView>();
        for (var i = 0; i < page.Panels.Count; i++)
            panels.Add(await ReadPanelAsync(i, page.Panels[i], now, ct));

        var unpricedFrom = panels.Min(p => p.From);
        var unpricedTo = panels.Max(p => p.To);
        var sections = page.Sections;
        var (monthStart, tomorrow) = PanelWindow.MonthToDate.RangeOf(now);
        return new DashboardView
        {
            Page = page,
            Navigation = catalog.Pages,
            Now = now,
            Panels = panels,
            Freshness = sections.Contains(PageSection.Freshness) ? await repository.FreshnessAsync(ct) : [],
            StaleAfter = options.Value.Pull.StaleAfter,
            SpendLimits = sections.Contains(PageSection.SpendLimits) ? await repository.SpendLimitsAsync(ct) : [],
            Unpriced = sections.Contains(PageSection.Unpriced) ? await repository.UnpricedModelsAsync(unpricedFrom, unpricedTo, ct) : [],
            UnpricedFrom = unpricedFrom,
            UnpricedTo = unpricedTo,
            Alerts = sections.Contains(PageSection.Alerts) ? OpenAlerts.Order(await alerts.ListAsync(OpenAlerts.Statuses, AlertLimit, ct)) : [],
            Delivery = sections.Contains(PageSection.Alerts) ? await outbox.StatusAsync(ct) : [],
            Deprecations = sections.Contains(PageSection.Deprecations) ? await GatherAsync(deprecations, (s, c) => s.DeprecationsAsync(now, c), ct) : [],
            KeysDue = sections.Contains(PageSection.KeysDue) ? await GatherAsync(keyRotations, (s, c) => s.KeysDueAsync(now, c), ct) : [],
            HasDeprecationSource = deprecations.Any(),
            HasKeyRotationSource = keyRotations.Any(),
            Reconciliation = sections.Contains(PageSection.Reconciliation) ? await repository.ReconciliationAsync(monthStart, tomorrow, ct) : [],
            UsageSources = sections.Contains(PageSection.UsageSources) ? await repository.UsageSourcesAsync(monthStart, tomorrow, ct) : [],
        };
    }

    /// <summary>The data of a chart panel; <paramref name="currency"/> is required for cost and ignored otherwise.</summary>
    public Task<ChartData> ReadChartAsync(DashboardPanel panel, Currency? currency, CancellationToken ct)
    {
        var (from, to) = panel.Window.RangeOf(clock.GetUtcNow());
        return ReadChartAsync(panel.Metric, panel.Grouping, panel.Kind, panel.Limit, from, to, currency, DrillFilter.None, ct);
    }

    /// <summary>A drill-down's chart: cost per day in one currency, stacked by model (or by key on a model's page).</summary>
    public Task<ChartData> ReadDrillChartAsync(DrillFilter filter, DateTimeOffset from, DateTimeOffset to, Currency currency, CancellationToken ct) =>
        ReadChartAsync(PanelMetric.Cost, DrillGrouping(filter), PanelKind.StackedBar, DrillSeries, from, to, currency, filter, ct);

    /// <summary>How many series a drill-down chart keeps before folding the rest into "other".</summary>
    public const int DrillSeries = 8;

    public static PanelGrouping DrillGrouping(DrillFilter filter) => filter.Model is null ? PanelGrouping.Model : PanelGrouping.Key;

    private async Task<ChartData> ReadChartAsync(
        PanelMetric metric, PanelGrouping grouping, PanelKind kind, int limit, DateTimeOffset from, DateTimeOffset to,
        Currency? currency, DrillFilter filter, CancellationToken ct)
    {
        if (metric == PanelMetric.Cost)
        {
            var code = currency?.ToString() ?? throw new ArgumentNullException(nameof(currency), "A cost chart needs a currency");
            var daily = await repository.DailyAsync(metric, grouping, from, to, code, filter, ct);
            return DashboardCharts.Build(kind, $"{code} per day", daily, from, to, limit, micros => (double)MoneyUnits.FromMicros(micros));
        }

        var values = await repository.DailyAsync(metric, grouping, from, to, null, filter, ct);
        var unit = metric == PanelMetric.Tokens ? "tokens per day" : "requests per day";
        return grouping == PanelGrouping.TokenCategory
            ? DashboardCharts.Build(kind, unit, values, from, to, DashboardRepository.TokenCategoryLabels.Count,
                v => v, DashboardRepository.TokenCategoryLabels)
            : DashboardCharts.Build(kind, unit, values, from, to, limit, v => v);
    }

    /// <summary>The currencies a drill-down's charts are drawn in.</summary>
    public Task<IReadOnlyList<string>> DrillCurrenciesAsync(DrillFilter filter, DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        repository.CostCurrenciesAsync(from, to, filter, ct);

    private async Task<PanelView> ReadPanelAsync(int index, DashboardPanel panel, DateTimeOffset now, CancellationToken ct)
    {
        var (from, to) = panel.Window.RangeOf(now);
        var view = new PanelView { Index = index, Panel = panel, From = from, To = to };
        switch (panel.Metric)
        {
            case PanelMetric.BudgetUse:
                return view with { Gauges = await GatherAsync(budgets, (s, c) => s.GaugesAsync(now, c), ct) };
            case PanelMetric.Forecast:
                return view with { Forecasts = Forecast(await repository.TotalsAsync(PanelMetric.Cost, panel.Grouping, from, to, ct), now, panel.Limit) };
            case PanelMetric.Unmetered:
                var unmetered = options.Value.Alerts.Unmetered;
                var days = await repository.UnmeteredAsync(from, to, now, unmetered.SettleDelay, unmetered.ToRules(), ct);
                return view with { Unmetered = [.. days.OrderByDescending(d => d.Day).ThenBy(d => d.Account, StringComparer.Ordinal)] };
        }

        if (panel.Kind is PanelKind.Line or PanelKind.StackedBar)
        {
            return panel.Metric == PanelMetric.Cost
                ? view with
                {
                    ChartCurrencies = await repository.CostCurrenciesAsync(from, to, DrillFilter.None, ct),
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

    /// <summary>
    /// Linear by day: month-to-date divided by the days elapsed (at least one), times the days of the month. Groups
    /// with priced cost only, largest first, at most <paramref name="limit"/> per currency.
    /// </summary>
    public static IReadOnlyList<ForecastRow> Forecast(IReadOnlyList<GroupTotal> monthToDate, DateTimeOffset now, int limit)
    {
        var utc = now.ToUniversalTime();
        var monthStart = new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var elapsed = Math.Max(1m, (decimal)(utc - monthStart).TotalDays);
        var days = (decimal)DateTime.DaysInMonth(utc.Year, utc.Month);
        return [.. monthToDate.Where(r => r.PricedBuckets > 0)
            .GroupBy(r => r.Currency ?? "", StringComparer.Ordinal)
            .SelectMany(g => g.Take(limit))
            .Select(r => new ForecastRow { Total = r, ForecastMicros = (long)decimal.Round(r.Value / elapsed * days) })];
    }

    private static async Task<IReadOnlyList<T>> GatherAsync<TSource, T>(
        IEnumerable<TSource> sources, Func<TSource, CancellationToken, Task<IReadOnlyList<T>>> read, CancellationToken ct)
    {
        var all = new List<T>();
        foreach (var source in sources)
            all.AddRange(await read(source, ct));
        return all;
    }
}
