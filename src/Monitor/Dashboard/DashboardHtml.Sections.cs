using System.Globalization;
using System.Text;
using Monitor.Core;
using Monitor.Core.Alerts;
using Monitor.Core.Pricing;
using Monitor.Storage;

namespace Monitor.Dashboard;

// Budgets, forecasts, tiles and the overview's sections (alerts, deprecations, keys due, reconciliation).
public static partial class DashboardHtml
{
    private static void RenderBudgets(StringBuilder html, PanelView view, DateTimeOffset now)
    {
        if (view.Gauges.Count == 0)
        {
            html.Append("<p class=\"empty\">No budgets configured (Monitor:Budgets).</p>\n");
            return;
        }

        if (view.Panel.Kind == PanelKind.Table)
        {
            html.Append("<table>\n<thead><tr><th>Budget</th><th class=\"num\">Spent</th><th class=\"num\">Amount</th><th class=\"num\">Used</th>")
                .Append("<th class=\"num\">Forecast</th><th>Period</th></tr></thead>\n<tbody>\n");
            foreach (var g in view.Gauges)
            {
                html.Append("<tr><td>").Append(E(g.Name)).Append("</td><td class=\"num\">").Append(E(Amount(g.Spent, g.Currency)))
                    .Append("</td><td class=\"num\">").Append(E(Amount(g.Amount, g.Currency))).Append("</td><td class=\"num\">")
                    .Append(E(Percent(Used(g.Spent, g.Amount)))).Append("</td><td class=\"num\">")
                    .Append(E(g.Forecast is { } f ? Amount(f, g.Currency) : "n/a")).Append("</td><td>")
                    .Append(E(Period(g))).Append("</td></tr>\n");
            }

            html.Append("</tbody>\n</table>\n");
            return;
        }

        foreach (var g in view.Gauges)
        {
            var used = Used(g.Spent, g.Amount);
            var crossed = g.ThresholdPercents.Where(t => used >= t).DefaultIfEmpty(0m).Max();
            var fill = used >= 100m ? " over" : crossed > 0 ? " warn" : "";
            var left = (g.PeriodEnd - now).TotalDays;
            html.Append("<div class=\"gauge\" data-budget=\"").Append(E(g.Name)).Append("\"><strong>").Append(E(g.Name)).Append("</strong> ")
                .Append(E($"{Amount(g.Spent, g.Currency)} of {Amount(g.Amount, g.Currency)} ({Percent(used)})"))
                .Append("<div class=\"track\" role=\"meter\" aria-valuemin=\"0\" aria-valuemax=\"100\" aria-valuenow=\"")
                .Append(E(Number(Math.Min(100m, used)))).Append("\"><span class=\"fill").Append(fill).Append("\" style=\"width:")
                .Append(Number(Math.Min(100m, used))).Append("%\"></span>");
            foreach (var threshold in g.ThresholdPercents.Where(t => t is > 0 and <= 100))
            {
                html.Append("<span class=\"tick\" title=\"").Append(E(Percent(threshold))).Append("\" style=\"left:")
                    .Append(Number(threshold)).Append("%\"></span>");
            }

            if (g.Forecast is { } forecast && g.Amount > 0)
            {
                html.Append("<span class=\"fc\" title=\"forecast\" style=\"left:").Append(Number(Math.Min(100m, Used(forecast, g.Amount))))
                    .Append("%\"></span>");
            }

            html.Append("</div><span class=\"sub\">")
                .Append(E($"thresholds {string.Join(", ", g.ThresholdPercents.Select(Percent))}"
                    + (g.Forecast is { } f ? $" · forecast {Amount(f, g.Currency)} ({Percent(Used(f, g.Amount))})" : "")
                    + $" · {Period(g)}" + (left > 0 ? $", {Math.Ceiling(left).ToString(CultureInfo.InvariantCulture)} days left" : "")))
                .Append("</span></div>\n");
        }
    }

    private static void RenderForecast(StringBuilder html, PanelView view, RenderContext context)
    {
        var panel = view.Panel;
        if (view.Forecasts.Count == 0)
        {
            html.Append("<p class=\"empty\">No priced usage this month.</p>\n");
            return;
        }

        if (panel.Kind == PanelKind.List)
        {
            html.Append("<div class=\"tiles\">\n");
            foreach (var row in view.Forecasts)
            {
                var total = row.Total;
                html.Append("<div class=\"tile\" data-group=\"").Append(E(total.Label)).Append("\" data-currency=\"").Append(E(total.Currency))
                    .Append("\"><div class=\"name\">").Append(Label(panel.Grouping, total, context)).Append("</div><div class=\"big mtd\">")
                    .Append(E(MoneyOf(total.Value, total.Currency))).Append("</div><div class=\"sub forecast\">")
                    .Append(E($"→ {MoneyOf(row.ForecastMicros, total.Currency)} by month end"))
                    .Append(total.UnpricedBuckets > 0 ? E($" · + {N(total.UnpricedBuckets)} unpriced") : "").Append("</div></div>\n");
            }

            html.Append("</div>\n");
            return;
        }

        html.Append("<table>\n<thead><tr><th>").Append(E(GroupHeading(panel.Grouping))).Append("</th><th>Currency</th>")
            .Append("<th class=\"num\">Month to date</th><th class=\"num\">Forecast</th></tr></thead>\n<tbody>\n");
        foreach (var row in view.Forecasts)
        {
            html.Append("<tr><td>").Append(Label(panel.Grouping, row.Total, context)).Append("</td><td>").Append(E(row.Total.Currency))
                .Append("</td><td class=\"num\">").Append(E(MoneyOf(row.Total.Value, row.Total.Currency))).Append("</td><td class=\"num\">")
                .Append(E(MoneyOf(row.ForecastMicros, row.Total.Currency))).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
    }

    private static void RenderList(StringBuilder html, PanelView view, RenderContext context)
    {
        if (view.Rows.Count == 0)
        {
            html.Append("<p class=\"empty\">No usage in this window.</p>\n");
            return;
        }

        html.Append("<div class=\"tiles\">\n");
        foreach (var row in view.Rows)
        {
            html.Append("<div class=\"tile\"><div class=\"name\">").Append(Label(view.Panel.Grouping, row, context))
                .Append("</div><div class=\"big\">").Append(Value(view.Panel.Metric, row)).Append("</div></div>\n");
        }

        html.Append("</div>\n");
    }

    private static void RenderAlerts(StringBuilder html, DashboardView view, RenderContext context)
    {
        html.Append("<section class=\"wide\" id=\"alerts\">\n<h2>Open alerts</h2>\n")
            .Append("<p class=\"sub\">Anomalies first, then by severity and time. Acknowledge: seen and being handled. Mute: planned activity until a date.</p>\n");
        if (view.Alerts.Count == 0)
        {
            html.Append("<p class=\"empty\">No open alerts.</p>\n</section>\n");
            return;
        }

        html.Append("<table>\n<thead><tr><th>Severity</th><th>Kind</th><th>Alert</th><th>Scope</th><th>Raised</th>")
            .Append(context.Form is null ? "" : "<th>Action</th>").Append("</tr></thead>\n<tbody>\n");
        var muteUntil = view.Now.UtcDateTime.Date.AddDays(7).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        foreach (var alert in view.Alerts)
        {
            var severity = SnakeCase.Of(alert.Severity);
            var scope = string.Join("<br>", new[] { alert.Account, alert.Workspace, alert.KeyId, alert.Model }.Where(s => !string.IsNullOrEmpty(s)).Select(E));
            html.Append("<tr data-alert=\"").Append(alert.Id.ToString(CultureInfo.InvariantCulture)).Append("\"><td class=\"sev-")
                .Append(severity).Append("\">").Append(E(severity)).Append("</td><td>").Append(E(SnakeCase.Of(alert.Kind)))
                .Append("</td><td><strong>").Append(context.AlertUrl is null ? E(alert.Title) : $"<a href=\"{E(context.AlertUrl(alert.Id))}\">{E(alert.Title)}</a>")
                .Append("</strong><span class=\"detail\">").Append(E(alert.Detail))
                .Append("</span></td><td class=\"mono scope\">").Append(scope).Append("</td><td class=\"nowrap\">")
                .Append(E(Ago(alert.RaisedAt.ToUnixTimeSeconds(), view.Now))).Append("</td>");
            if (context.Form is { } form)
            {
                html.Append("<td><form class=\"inline\" method=\"post\" action=\"").Append(AlertPaths.Acknowledge(alert.Id)).Append("\">")
                    .Append(Token(form)).Append("<button type=\"submit\" name=\"ack\">Acknowledge</button></form>")
                    .Append("<form class=\"inline\" method=\"post\" action=\"").Append(AlertPaths.Mute(alert.Id)).Append("\">").Append(Token(form))
                    .Append("<input type=\"date\" name=\"until\" required value=\"").Append(muteUntil)
                    .Append("\" aria-label=\"mute until\"><input type=\"text\" name=\"reason\" required placeholder=\"reason\" aria-label=\"reason\">")
                    .Append("<button type=\"submit\" name=\"mute\">Mute</button></form></td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    // Only when something is wrong: messages waiting for a channel (retried), or refused by one for good.
    private static void RenderDelivery(StringBuilder html, DashboardView view)
    {
        var troubled = view.Delivery.Where(d => d.Pending > 0 || d.Failed > 0).ToList();
        if (troubled.Count == 0)
            return;
        html.Append("<section class=\"wide\" id=\"delivery\">\n<h2>Alert delivery</h2>\n")
            .Append("<p class=\"sub\">Channels with messages waiting (retried with backoff) or refused for good (a 4xx other than 429: never retried; fix the channel, then send a test with <code>monitor alerts test --channel NAME</code>).</p>\n")
            .Append("<table>\n<thead><tr><th>Channel</th><th>Waiting</th><th>Failed</th><th>Delivered</th><th>Next attempt</th><th>Last error</th></tr></thead>\n<tbody>\n");
        foreach (var d in troubled)
        {
            html.Append("<tr data-channel=\"").Append(E(d.Channel)).Append("\"><td class=\"mono\">").Append(E(d.Channel))
                .Append("</td><td class=\"num\">").Append(d.Pending.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td class=\"num").Append(d.Failed > 0 ? " sev-critical" : "").Append("\">").Append(d.Failed.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td class=\"num\">").Append(d.Sent.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td class=\"nowrap\">").Append(d.NextAttemptAt is { } next ? E(next.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)) : "")
                .Append("</td><td>").Append(E(d.LastError ?? "")).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static string Token((string Field, string Token) form) =>
        "<input type=\"hidden\" name=\"" + E(form.Field) + "\" value=\"" + E(form.Token) + "\">";

    private static void RenderDeprecations(StringBuilder html, DashboardView view)
    {
        html.Append("<section class=\"wide\" id=\"deprecations\">\n<h2>Deprecations due</h2>\n")
            .Append("<p class=\"sub\">Models in use that their provider retires, soonest first, with what they cost and who calls them.</p>\n");
        if (view.Deprecations.Count == 0)
        {
            html.Append("<p class=\"empty\">").Append(view.HasDeprecationSource ? "No model in use is due to retire." : "Deprecation tracking is not configured.")
                .Append("</p>\n</section>\n");
            return;
        }

        html.Append("<table>\n<thead><tr><th>Model</th><th>Account</th><th>Retires</th><th class=\"num\">Days left</th><th>Replacement</th>")
            .Append("<th class=\"num\">Spend per month</th><th>Called by</th></tr></thead>\n<tbody>\n");
        foreach (var d in view.Deprecations.OrderBy(d => d.DaysLeft).ThenBy(d => d.Model, StringComparer.Ordinal))
        {
            html.Append("<tr><td class=\"mono\">").Append(E(d.Model)).Append("</td><td class=\"mono\">").Append(E(d.Account)).Append("</td><td>")
                .Append(E(Day(d.RetiresAt))).Append("</td><td class=\"num").Append(d.DaysLeft <= 14 ? " sev-critical" : "").Append("\">")
                .Append(E(d.DaysLeft.ToString(CultureInfo.InvariantCulture))).Append("</td><td class=\"mono\">").Append(E(d.Replacement ?? "none announced"))
                .Append("</td><td class=\"num\">").Append(E(Amount(d.SpendPerMonth, d.Currency))).Append("</td><td class=\"mono\">")
                .Append(E(string.Join(", ", d.CalledBy))).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void RenderKeysDue(StringBuilder html, DashboardView view)
    {
        html.Append("<section class=\"wide\" id=\"keys-due\">\n<h2>Keys due for rotation</h2>\n")
            .Append("<p class=\"sub\">By due date; keys are shown by fingerprint only.</p>\n");
        if (view.KeysDue.Count == 0)
        {
            html.Append("<p class=\"empty\">").Append(view.HasKeyRotationSource ? "No key is due for rotation." : "Key rotation tracking is not configured.")
                .Append("</p>\n</section>\n");
            return;
        }

        html.Append("<table>\n<thead><tr><th>Key</th><th>Account</th><th>Owner</th><th>Created</th><th>Due</th><th class=\"num\">Days left</th>")
            .Append("<th>Reason</th></tr></thead>\n<tbody>\n");
        foreach (var k in view.KeysDue.OrderBy(k => k.DueAt).ThenBy(k => k.KeyId, StringComparer.Ordinal))
        {
            html.Append("<tr><td>").Append(E(k.Name ?? k.KeyId)).Append("<span class=\"detail\">").Append(E($"{k.KeyId} · {k.Fingerprint}"))
                .Append("</span></td><td class=\"mono\">").Append(E(k.Account)).Append("</td><td>").Append(E(k.Owner ?? "")).Append("</td><td>")
                .Append(E(k.CreatedAt is { } c ? Day(c) : "unknown")).Append("</td><td>").Append(E(Day(k.DueAt))).Append("</td><td class=\"num")
                .Append(k.DaysLeft <= 0 ? " sev-critical" : "").Append("\">").Append(E(k.DaysLeft.ToString(CultureInfo.InvariantCulture)))
                .Append("</td><td>").Append(E(k.Reason)).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void RenderReconciliation(StringBuilder html, DashboardView view)
    {
        html.Append("<section class=\"wide\" id=\"reconciliation\">\n<h2>Reconciliation gap</h2>\n")
            .Append("<p class=\"sub\">Month to date: the providers' reported cost against the catalog estimate of the same buckets (")
            .Append("<span class=\"mono\">monitor export reconciliation</span> has it per day and model).</p>\n");
        if (view.Reconciliation.Count == 0)
        {
            html.Append("<p class=\"empty\">No reported cost with a catalog estimate this month.</p>\n</section>\n");
            return;
        }

        html.Append("<table>\n<thead><tr><th>Account</th><th>Currency</th><th class=\"num\">Reported</th><th class=\"num\">Estimated</th>")
            .Append("<th class=\"num\">Gap</th><th class=\"num\">Gap %</th></tr></thead>\n<tbody>\n");
        foreach (var r in view.Reconciliation)
        {
            var percent = r.EstimatedMicros != 0 ? Percent((decimal)r.GapMicros / r.EstimatedMicros * 100m) : "n/a";
            html.Append("<tr><td class=\"mono\">").Append(E(r.Account)).Append("</td><td>").Append(E(r.Currency)).Append("</td><td class=\"num\">")
                .Append(E(MoneyOf(r.ReportedMicros, r.Currency))).Append("</td><td class=\"num\">").Append(E(MoneyOf(r.EstimatedMicros, r.Currency)))
                .Append("</td><td class=\"num\">").Append(E(MoneyOf(r.GapMicros, r.Currency))).Append("</td><td class=\"num\">").Append(E(percent))
                .Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    /// <summary>A group's name, linked to its drill-down page where there is one.</summary>
    private static string Linked(PanelGrouping grouping, string value, string shown, RenderContext context)
    {
        DrillFilter? filter = grouping switch
        {
            PanelGrouping.Account => new DrillFilter(value, null, null),
            PanelGrouping.Key => new DrillFilter(null, value, null),
            PanelGrouping.Model => new DrillFilter(null, null, value),
            _ => null,
        };
        return filter is null || context.DrillUrl is null
            ? E(shown)
            : "<a href=\"" + E(context.DrillUrl(filter)) + "\">" + E(shown) + "</a>";
    }

    private static decimal Used(decimal spent, decimal amount) => amount > 0 ? spent / amount * 100m : 0m;

    private static string Percent(decimal value) => value.ToString("0.#", CultureInfo.InvariantCulture) + " %";

    private static string Number(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Period(BudgetGauge g) => $"{Day(g.PeriodStart)} to {Day(g.PeriodEnd.AddSeconds(-1))}";

    private static string Amount(decimal amount, string code) =>
        Currencies.TryParse(code, out var c) ? MoneyUnits.Display(amount, c) : string.Create(CultureInfo.InvariantCulture, $"{code} {amount:N2}");

    private static string MoneyOf(long micros, string? code) => Money(micros, Currencies.TryParse(code, out var c) ? c : null, code ?? "");
}
