using System.Globalization;
using System.Net;
using System.Text;
using Monitor.Core.Pricing;
using Monitor.Storage;

namespace Monitor.Dashboard;

/// <summary>
/// Renders a <see cref="DashboardView"/> as one self-contained HTML page: inline CSS, no script, no external asset.
/// Every value that reaches the page goes through <see cref="E"/> (HTML encoding): provider-supplied names are data.
/// Money is shown per currency, never summed across currencies, and unpriced usage is shown as such, never as zero.
/// </summary>
public static partial class DashboardHtml
{
    /// <summary>The dashboard's stylesheet, inlined in every page (no external asset).</summary>
    internal const string Css = """
        :root { color-scheme: light; --fg: #111827; --muted: #6b7280; --line: #e5e7eb; --bg: #f6f7f9; --card: #fff;
                --accent: #1f6feb; --warn-bg: #fff7e6; --warn: #9a5b00; --bad: #b42318; --good: #067647; }
        @media (prefers-color-scheme: dark) {
          :root { color-scheme: dark; --fg: #e5e7eb; --muted: #9ca3af; --line: #374151; --bg: #0f141a; --card: #161b22;
                  --accent: #58a6ff; --warn-bg: #3a2a0a; --warn: #f0b45a; --bad: #f87171; --good: #4ade80; }
          .badge.ok { background: #12301f !important; } .badge.bad { background: #3b1418 !important; } .badge.idle { background: #222831 !important; }
        }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--bg); color: var(--fg);
               font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        header { background: var(--card); border-bottom: 1px solid var(--line); padding: 14px 28px;
                 display: flex; align-items: baseline; gap: 24px; flex-wrap: wrap; }
        header h1 { font-size: 20px; margin: 0; font-weight: 650; }
        header nav a { color: var(--muted); text-decoration: none; margin-right: 14px; }
        header nav a[aria-current] { color: var(--accent); font-weight: 600; }
        header .asof { margin-left: auto; color: var(--muted); font-size: 13px; }
        main { padding: 20px 28px 40px; display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr));
               gap: 18px; max-width: 1900px; }
        section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px;
                  min-width: 0; overflow-x: auto; }
        section.wide { grid-column: 1 / -1; }
        h2 { font-size: 15px; margin: 0 0 2px; font-weight: 620; }
        .sub { color: var(--muted); font-size: 12.5px; margin: 0 0 12px; }
        table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
        th, td { text-align: left; padding: 6px 10px 6px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { color: var(--muted); font-weight: 550; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
        td.num, th.num { text-align: right; white-space: nowrap; }
        tfoot td { font-weight: 620; border-bottom: 0; }
        .detail { display: block; color: var(--muted); font-size: 12px; font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; word-break: break-all; }
        .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: 13px; word-break: break-all; }
        .empty { color: var(--muted); font-style: italic; margin: 8px 0; }
        td.scope { min-width: 170px; max-width: 260px; font-size: 12px; } .nowrap { white-space: nowrap; }
        .note { background: var(--warn-bg); color: var(--warn); border-radius: 6px; padding: 8px 10px; margin-top: 10px; font-size: 13px; }
        .badge { display: inline-block; border-radius: 999px; padding: 1px 8px; font-size: 12px; font-weight: 600; }
        .badge.ok { background: #ecfdf3; color: var(--good); }
        .badge.bad { background: #fef3f2; color: var(--bad); }
        .badge.idle { background: #f2f4f7; color: var(--muted); }
        .error { color: var(--bad); font-size: 12.5px; white-space: pre-wrap; word-break: break-word; }
        .charts img { display: block; max-width: 100%; height: auto; margin: 6px 0 4px; }
        .charts h3 { font-size: 13px; margin: 10px 0 0; color: var(--muted); font-weight: 600; }
        .bar { height: 6px; background: var(--line); border-radius: 3px; overflow: hidden; margin-top: 4px; min-width: 80px; }
        .bar span { display: block; height: 100%; background: var(--accent); }
        .bar span.over { background: var(--bad); }
        a { color: var(--accent); }
        td a, .tile a { text-decoration: none; }
        .tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px; }
        .tile { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
        .tile .big { font-size: 20px; font-weight: 650; font-variant-numeric: tabular-nums; }
        .tile .name { color: var(--muted); font-size: 12.5px; word-break: break-all; }
        .gauge { margin: 10px 0 16px; }
        .gauge .track { position: relative; height: 14px; background: var(--line); border-radius: 7px; margin: 6px 0 4px; }
        .gauge .fill { position: absolute; left: 0; top: 0; bottom: 0; border-radius: 7px; background: var(--accent); }
        .gauge .fill.warn { background: #d97706; } .gauge .fill.over { background: var(--bad); }
        .gauge .tick { position: absolute; top: -3px; bottom: -3px; width: 2px; background: var(--fg); opacity: .55; }
        .gauge .fc { position: absolute; top: -4px; bottom: -4px; width: 0; border-left: 2px dashed var(--bad); }
        form.inline { display: inline-flex; gap: 4px; align-items: center; margin: 2px 6px 2px 0; }
        form.inline input[type=text] { width: 120px; }
        button { font: inherit; font-size: 12.5px; padding: 2px 10px; border-radius: 6px; border: 1px solid var(--line);
                 background: var(--card); color: var(--fg); cursor: pointer; }
        .sev-critical { color: var(--bad); font-weight: 650; } .sev-warning { color: var(--warn); font-weight: 600; }
        .filters { display: flex; gap: 10px; align-items: end; flex-wrap: wrap; margin-bottom: 8px; }
        """;

    public static string Render(DashboardView view, RenderContext context)
    {
        var html = new StringBuilder(16_384);

        Header(html, view.Page.Title, view.Page.Slug, view.Navigation, view.Now, context);

        foreach (var panel in view.Panels)
            RenderPanel(html, view.Page, panel, view.Now, context);

        foreach (var section in view.Page.Sections)
        {
            switch (section)
            {
                case PageSection.Alerts:
                    RenderAlerts(html, view, context);
                    RenderDelivery(html, view);
                    break;
                case PageSection.Deprecations: RenderDeprecations(html, view); break;
                case PageSection.KeysDue: RenderKeysDue(html, view); break;
                case PageSection.Freshness: RenderFreshness(html, view); break;
                case PageSection.Reconciliation: RenderReconciliation(html, view); break;
                case PageSection.SpendLimits: RenderSpendLimits(html, view); break;
                case PageSection.Unpriced: RenderUnpriced(html, view); break;
                case PageSection.UsageSources: RenderUsageSources(html, view); break;
            }
        }

        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Header(
        StringBuilder html, string title, string? currentSlug, IReadOnlyList<DashboardPage> navigation, DateTimeOffset now, RenderContext context)
    {
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(E(title)).Append(" · LLM spend monitor</title>\n")
            .Append("<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n");
        html.Append("<header><h1>").Append(E(title)).Append("</h1><nav>");
        foreach (var page in navigation)
        {
            html.Append("<a href=\"").Append(E(context.PageUrl(page))).Append('"')
                .Append(page.Slug == currentSlug ? " aria-current=\"page\"" : "").Append('>')
                .Append(E(page.Title)).Append("</a>");
        }

        html.Append("</nav><span class=\"asof\">as of ").Append(E(Time(now))).Append("</span></header>\n<main>\n");
    }

    private static void RenderPanel(StringBuilder html, DashboardPage page, PanelView view, DateTimeOffset now, RenderContext context)
    {
        var panel = view.Panel;
        html.Append("<section class=\"panel").Append(panel.Kind is PanelKind.Line or PanelKind.StackedBar or PanelKind.List || panel.Metric == PanelMetric.Unmetered ? " wide" : "")
            .Append("\" id=\"panel-").Append(view.Index.ToString(CultureInfo.InvariantCulture)).Append("\">\n<h2>")
            .Append(E(panel.Title)).Append("</h2>\n<p class=\"sub\">")
            .Append(E(Describe(panel, view))).Append("</p>\n");

        if (panel.Metric == PanelMetric.BudgetUse)
            RenderBudgets(html, view, now);
        else if (panel.Metric == PanelMetric.Forecast)
            RenderForecast(html, view, context);
        else if (panel.Metric == PanelMetric.Unmetered)
            RenderUnmetered(html, view);
        else if (panel.Kind == PanelKind.Table)
            RenderTable(html, view, context);
        else if (panel.Kind == PanelKind.List)
            RenderList(html, view, context);
        else
            RenderCharts(html, page, view, context);

        // Tables mark unpriced usage in their rows; charts cannot, so they carry the note.
        if (panel.Kind is PanelKind.Line or PanelKind.StackedBar && view.Unpriced.Count > 0)
        {
            var buckets = view.Unpriced.Sum(u => u.Buckets);
            html.Append("<p class=\"note\">Unpriced, not counted in any amount: ")
                .Append(E(N(buckets))).Append(buckets == 1 ? " bucket" : " buckets").Append(" of ")
                .Append(string.Join(", ", view.Unpriced.Select(u => u.Model).Distinct(StringComparer.Ordinal).Select(m => "<span class=\"mono\">" + E(m) + "</span>")))
                .Append(".</p>\n");
        }

        html.Append("</section>\n");
    }

    private static void RenderCharts(StringBuilder html, DashboardPage page, PanelView view, RenderContext context)
    {
        var panel = view.Panel;
        html.Append("<div class=\"charts\">\n");
        if (panel.Metric == PanelMetric.Cost)
        {
            if (view.ChartCurrencies.Count == 0)
                html.Append("<p class=\"empty\">No priced usage in this window.</p>\n");
            foreach (var currency in view.ChartCurrencies)
            {
                if (view.ChartCurrencies.Count > 1)
                    html.Append("<h3>").Append(E(currency)).Append("</h3>\n");
                Image(html, context.ChartUrl(page.Slug, view.Index, currency), $"{panel.Title} in {currency}, {panel.Window.Describe()}", context.DarkCharts);
            }
        }
        else
        {
            Image(html, context.ChartUrl(page.Slug, view.Index, null), $"{panel.Title}, {panel.Window.Describe()}", context.DarkCharts);
        }

        html.Append("</div>\n");
    }

    private static void Image(StringBuilder html, string url, string alt, bool dark)
    {
        // The dark variant of the same chart for a dark colour scheme; the <img> stays the default (and the fallback).
        if (dark)
        {
            html.Append("<picture><source media=\"(prefers-color-scheme: dark)\" srcset=\"")
                .Append(E(url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "theme=dark")).Append("\">");
        }

        html.Append("<img src=\"").Append(E(url)).Append("\" width=\"")
            .Append(DashboardCharts.Width.ToString(CultureInfo.InvariantCulture)).Append("\" height=\"")
            .Append(DashboardCharts.Height.ToString(CultureInfo.InvariantCulture)).Append("\" alt=\"")
            .Append(E(alt)).Append("\">");
        html.Append(dark ? "</picture>\n" : "\n");
    }

    private static void RenderTable(StringBuilder html, PanelView view, RenderContext context)
    {
        var panel = view.Panel;
        if (view.Rows.Count == 0)
        {
            html.Append("<p class=\"empty\">No usage in this window.</p>\n");
            return;
        }

        var isCost = panel.Metric == PanelMetric.Cost;
        var showRequests = panel.Metric != PanelMetric.Requests && panel.Grouping != PanelGrouping.TokenCategory;
        html.Append("<table>\n<thead><tr><th>").Append(E(GroupHeading(panel.Grouping))).Append("</th>");
        if (isCost)
            html.Append("<th>Currency</th>");
        html.Append("<th class=\"num\">").Append(E(MetricHeading(panel.Metric))).Append("</th>");
        if (showRequests)
            html.Append("<th class=\"num\">Requests</th>");
        html.Append("</tr></thead>\n<tbody>\n");

        foreach (var row in view.Rows)
        {
            html.Append("<tr><td>").Append(Label(panel.Grouping, row, context)).Append("</td>");
            if (isCost)
                html.Append("<td>").Append(E(row.Currency ?? "")).Append("</td>");
            html.Append("<td class=\"num\">").Append(Value(panel.Metric, row)).Append("</td>");
            if (showRequests)
                html.Append("<td class=\"num\">").Append(E(N(row.Requests))).Append("</td>");
            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n");
        if (view.Totals.Count > 0)
        {
            html.Append("<tfoot>\n");
            foreach (var total in view.Totals)
            {
                html.Append("<tr><td>Total</td>");
                if (isCost)
                    html.Append("<td>").Append(E(total.Currency ?? "")).Append("</td>");
                html.Append("<td class=\"num\">").Append(Value(panel.Metric, total)).Append("</td>");
                if (showRequests)
                    html.Append("<td class=\"num\">").Append(E(N(total.Requests))).Append("</td>");
                html.Append("</tr>\n");
            }

            html.Append("</tfoot>\n");
        }

        html.Append("</table>\n");
    }

    private static void RenderFreshness(StringBuilder html, DashboardView view)
    {
        html.Append("<section class=\"wide\" id=\"freshness\">\n<h2>Data freshness</h2>\n")
            .Append("<p class=\"sub\">Last successful and last failed pull per account, and how far its data reaches.</p>\n");
        if (view.Freshness.Count == 0)
        {
            html.Append("<p class=\"empty\">No account has been pulled or imported yet.</p>\n</section>\n");
            return;
        }

        html.Append("<table>\n<thead><tr><th>Account</th><th>Status</th><th>Last successful pull</th>")
            .Append("<th>Last failed pull</th><th>Data up to</th></tr></thead>\n<tbody>\n");
        foreach (var account in view.Freshness)
        {
            var (badge, status) = account switch
            {
                { LastOkAt: null, LastFailedAt: null } => ("idle", "not pulled"),
                { LastFailedAt: { } failed } when failed >= (account.LastOkAt ?? long.MinValue) => ("bad", "failing"),
                { LastOkAt: { } ok } when view.Now - DateTimeOffset.FromUnixTimeSeconds(ok) > view.StaleAfter => ("bad", "stale"),
                _ => ("ok", "ok"),
            };
            html.Append("<tr><td class=\"mono\">").Append(E(account.Account)).Append("</td><td><span class=\"badge ")
                .Append(badge).Append("\">").Append(E(status)).Append("</span></td><td>")
                .Append(E(Ago(account.LastOkAt, view.Now))).Append("</td><td>")
                .Append(E(Ago(account.LastFailedAt, view.Now)));
            if (account.LastFailedAt is not null && !string.IsNullOrEmpty(account.LastError))
                html.Append("<span class=\"error\">").Append(E(account.LastError)).Append("</span>");
            html.Append("</td><td>").Append(E(Ago(account.LastBucketAt, view.Now)));
            // Format drift of the last week: the provider sent something the connector did not expect.
            if (account.LastDriftAt is { } driftAt && view.Now - DateTimeOffset.FromUnixTimeSeconds(driftAt) < TimeSpan.FromDays(7))
            {
                html.Append("<span class=\"error drift\">format drift, ").Append(E(Ago(driftAt, view.Now))).Append(": ")
                    .Append(E(account.LastDrift)).Append("</span>");
            }

            html.Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void RenderSpendLimits(StringBuilder html, DashboardView view)
    {
        html.Append("<section class=\"wide\" id=\"spend-limits\">\n<h2>Provider spend limits</h2>\n")
            .Append("<p class=\"sub\">Monthly usage and limits as the providers report them.</p>\n");
        if (view.SpendLimits.Count == 0)
        {
            html.Append("<p class=\"empty\">No provider has reported a spend limit.</p>\n</section>\n");
            return;
        }

        html.Append("<table>\n<thead><tr><th>Account</th><th class=\"num\">Usage this month</th><th class=\"num\">Limit</th>")
            .Append("<th>Used</th><th>Flags</th><th>Fetched</th></tr></thead>\n<tbody>\n");
        foreach (var limit in view.SpendLimits)
        {
            var currency = Currencies.TryParse(limit.Currency, out var c) ? c : (Currency?)null;
            html.Append("<tr><td class=\"mono\">").Append(E(limit.Account)).Append("</td><td class=\"num\">")
                .Append(E(Money(limit.UsageMicros, currency, limit.Currency))).Append("</td><td class=\"num\">")
                .Append(E(limit.LimitMicros is null ? "no limit" : Money(limit.LimitMicros, currency, limit.Currency)))
                .Append("</td><td>");
            if (limit is { UsageMicros: { } used, LimitMicros: > 0 and var max })
            {
                var percent = (decimal)used / max * 100m;
                var width = Math.Min(100m, percent).ToString("0.#", CultureInfo.InvariantCulture);
                html.Append(E(percent.ToString("0.#", CultureInfo.InvariantCulture) + " %"))
                    .Append("<div class=\"bar\"><span").Append(percent >= 100 ? " class=\"over\"" : "")
                    .Append(" style=\"width:").Append(width).Append("%\"></span></div>");
            }

            html.Append("</td><td>");
            if (limit.LimitReached != 0)
                html.Append("<span class=\"badge bad\">limit reached</span> ");
            if (limit.PaymentFailure != 0)
                html.Append("<span class=\"badge bad\">payment failure</span>");
            html.Append("</td><td>").Append(E(Ago(limit.FetchedAt, view.Now))).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void RenderUnpriced(StringBuilder html, DashboardView view)
    {
        html.Append("<section class=\"wide\" id=\"unpriced\">\n<h2>Unpriced models</h2>\n<p class=\"sub\">")
            .Append(E($"Usage from {Day(view.UnpricedFrom)} to {Day(view.UnpricedTo.AddDays(-1))} with no reported cost and no catalog price: not counted in any amount above."))
            .Append("</p>\n");
        if (view.Unpriced.Count == 0)
        {
            html.Append("<p class=\"empty\">Every model in this period has a price.</p>\n</section>\n");
            return;
        }

        html.Append("<table>\n<thead><tr><th>Model</th><th>Account</th><th>Currency</th><th class=\"num\">Buckets</th>")
            .Append("<th class=\"num\">Requests</th><th class=\"num\">Tokens</th></tr></thead>\n<tbody>\n");
        foreach (var model in view.Unpriced)
        {
            html.Append("<tr><td class=\"mono\">").Append(E(model.Model)).Append("</td><td class=\"mono\">")
                .Append(E(model.Account)).Append("</td><td>").Append(E(model.Currency)).Append("</td><td class=\"num\">")
                .Append(E(N(model.Buckets))).Append("</td><td class=\"num\">").Append(E(N(model.Requests)))
                .Append("</td><td class=\"num\">").Append(E(N(model.Tokens))).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static string Describe(DashboardPanel panel, PanelView view)
    {
        if (panel.Metric == PanelMetric.BudgetUse)
            return "Spend against each budget in its own period; marks at the alert thresholds, dashed line at the forecast";
        if (panel.Metric == PanelMetric.Unmetered)
            return $"Provider-reported usage the proxy did not meter, per {(panel.Grouping == PanelGrouping.Model ? "day and model" : "account and day")}, completed UTC days with both sources · {panel.Window.Describe()} ({Day(view.From)} to {Day(view.To.AddDays(-1))}); by cost where both sides are priced, else tokens";
        if (panel.Metric == PanelMetric.Forecast)
            return $"Cost by {GroupHeading(panel.Grouping).ToLowerInvariant()} per currency · month to date ({Day(view.From)} to {Day(view.To.AddDays(-1))}, UTC) and a linear projection to the month's end";
        var what = panel.Grouping == PanelGrouping.TokenCategory
            ? "by token category"
            : "by " + GroupHeading(panel.Grouping).ToLowerInvariant();
        var top = panel.Kind == PanelKind.Table ? $", top {panel.Limit}" : panel.Grouping == PanelGrouping.TokenCategory ? "" : $", top {panel.Limit} series";
        var perCurrency = panel.Metric == PanelMetric.Cost ? ", per currency" : "";
        return $"{MetricHeading(panel.Metric)} {what}{top}{perCurrency} · {panel.Window.Describe()} ({Day(view.From)} to {Day(view.To.AddDays(-1))}, UTC)";
    }

    private static string Label(PanelGrouping grouping, GroupTotal row, RenderContext context)
    {
        var text = row.Label.Length > 0
            ? Linked(grouping, row.Label, row.Name ?? row.Label, context)
            : grouping switch
            {
                PanelGrouping.Key => "<em>(no key id)</em>",
                PanelGrouping.Workspace => "<em>(no workspace)</em>",
                _ => "<em>(none)</em>",
            };
        var cell = grouping is PanelGrouping.Key or PanelGrouping.Workspace or PanelGrouping.Model
            ? "<span class=\"mono\">" + text + "</span>"
            : text;
        var detail = row.Name is null ? row.Detail : string.IsNullOrEmpty(row.Detail) ? row.Label : $"{row.Label} · {row.Detail}";
        return string.IsNullOrEmpty(detail) ? cell : cell + "<span class=\"detail\">" + E(detail) + "</span>";
    }

    private static string Value(PanelMetric metric, GroupTotal row)
    {
        if (metric != PanelMetric.Cost)
            return E(N(row.Value));
        if (row.PricedBuckets == 0 && row.UnpricedBuckets > 0)
            return "<em>unpriced</em>";
        var amount = E(Money(row.Value, Currencies.TryParse(row.Currency, out var c) ? c : null, row.Currency ?? ""));
        return row.UnpricedBuckets > 0
            ? amount + "<span class=\"detail\">+ " + E(N(row.UnpricedBuckets)) + " unpriced</span>"
            : amount;
    }

    private static string Money(long? micros, Currency? currency, string code)
    {
        if (micros is not { } value)
            return "unknown";
        var amount = MoneyUnits.FromMicros(value);
        return currency is { } known
            ? MoneyUnits.Display(amount, known)
            : string.Create(CultureInfo.InvariantCulture, $"{code} {amount:N2}");
    }

    private static string GroupHeading(PanelGrouping grouping) => grouping switch
    {
        PanelGrouping.Provider => "Provider",
        PanelGrouping.Account => "Account",
        PanelGrouping.Workspace => "Workspace",
        PanelGrouping.Key => "Key",
        PanelGrouping.Model => "Model",
        _ => "Token category",
    };

    private static string MetricHeading(PanelMetric metric) => metric switch
    {
        PanelMetric.Cost => "Cost",
        PanelMetric.Tokens => "Tokens",
        PanelMetric.Requests => "Requests",
        PanelMetric.BudgetUse => "Budget use",
        PanelMetric.Unmetered => "Unmetered usage",
        _ => "Forecast",
    };

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    internal static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    internal static string Ago(long? unixSeconds, DateTimeOffset now)
    {
        if (unixSeconds is not { } seconds)
            return "never";
        var at = DateTimeOffset.FromUnixTimeSeconds(seconds);
        var age = now - at;
        var relative = age switch
        {
            { TotalSeconds: < 0 } => "in the future",
            { TotalMinutes: < 1 } => "just now",
            { TotalHours: < 1 } => $"{(int)age.TotalMinutes} min ago",
            { TotalDays: < 2 } => $"{(int)age.TotalHours} h ago",
            _ => $"{(int)age.TotalDays} days ago",
        };
        return $"{Time(at)} ({relative})";
    }

    /// <summary>HTML-encodes text for element content and quoted attribute values.</summary>
    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");
}
