using System.Text;
using Monitor.Core.Usage;
using Monitor.Storage;

namespace Monitor.Dashboard;

/// <summary>The two usage sources: the unmetered-usage panel and the usage-sources section.</summary>
public static partial class DashboardHtml
{
    private static void RenderUnmetered(StringBuilder html, PanelView view)
    {
        var days = view.Unmetered;
        if (days.Count == 0)
        {
            html.Append("<p class=\"empty\">No account is seen through both its provider's usage API and the proxy on a completed day in this window.</p>\n");
            return;
        }

        if (view.Panel.Grouping == PanelGrouping.Model)
        {
            html.Append("<table>\n<thead><tr><th>Day</th><th>Account</th><th>Model</th><th class=\"num\">Reported</th>")
                .Append("<th class=\"num\">Metered</th><th class=\"num\">Unmetered</th></tr></thead>\n<tbody>\n");
            foreach (var (day, line) in days.SelectMany(d => d.Lines.Select(l => (d, l))).Take(view.Panel.Limit))
            {
                var byCost = line.GapMicros is not null;
                string Of(long? micros, long tokens) => byCost ? MoneyOf(micros ?? 0, line.Currency) : $"{N(tokens)} tokens";
                html.Append("<tr><td class=\"nowrap\">").Append(E(Day(day.Day))).Append("</td><td class=\"mono\">").Append(E(day.Account))
                    .Append("</td><td class=\"mono\">").Append(E(line.Model)).Append("</td><td class=\"num\">")
                    .Append(E(Of(line.ReportedMicros, line.ReportedTokens))).Append("</td><td class=\"num\">")
                    .Append(E(Of(line.MeteredMicros, line.MeteredTokens))).Append("</td><td class=\"num\">")
                    .Append(E(Of(line.GapMicros, line.GapTokens))).Append("</td></tr>\n");
            }

            html.Append("</tbody>\n</table>\n");
            return;
        }

        html.Append("<table>\n<thead><tr><th>Day</th><th>Account</th><th class=\"num\">Reported</th><th class=\"num\">Metered</th>")
            .Append("<th class=\"num\">Unmetered</th><th class=\"num\">Share</th><th>Top model, keys the proxy never saw</th></tr></thead>\n<tbody>\n");
        foreach (var day in days.Take(view.Panel.Limit))
        {
            html.Append("<tr><td class=\"nowrap\">").Append(E(Day(day.Day)))
                .Append("</td><td class=\"mono\">").Append(E(day.Account)).Append("</td><td class=\"num\">")
                .Append(E(UnmeteredAlert.Amount(day, day.Reported))).Append("</td><td class=\"num\">")
                .Append(E(UnmeteredAlert.Amount(day, day.Metered))).Append("</td><td class=\"num\">")
                .Append(E(UnmeteredAlert.Amount(day, day.Unmetered)));
            if (day.Exceeds)
                html.Append(" <span class=\"badge bad\">alert</span>");
            html.Append("</td><td class=\"num\">").Append(E(Percent(day.SharePercent))).Append("</td><td>");
            var top = day.Unmetered > 0 && day.Lines.Count > 0 ? day.Lines[0] : null;
            if (top is not null)
                html.Append("<span class=\"mono\">").Append(E(top.Model)).Append("</span>");
            foreach (var key in day.Keys.Take(3))
            {
                html.Append("<span class=\"detail\">").Append(E(key.Key.Name is { Length: > 0 } name && name != key.Key.KeyId ? $"{name} ({key.Key.KeyId})" : key.Key.KeyId))
                    .Append(E(key.Key.LastFour is { Length: > 0 } last ? $" ...{last}" : "")).Append("</span>");
            }

            html.Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
    }

    private static void RenderUsageSources(StringBuilder html, DashboardView view)
    {
        html.Append("<section class=\"wide\" id=\"usage-sources\">\n<h2>Usage sources</h2>\n")
            .Append("<p class=\"sub\">Month to date, per account seen through two sources: the one its budgets, forecasts, anomalies and totals count ")
            .Append("(<span class=\"mono\">UsageFrom</span>), and the other beside it, never added.</p>\n");
        if (view.UsageSources.Count == 0)
        {
            html.Append("<p class=\"empty\">No account has usage from a second source this month.</p>\n</section>\n");
            return;
        }

        html.Append("<table>\n<thead><tr><th>Account</th><th>Counts</th><th class=\"num\">Counted cost</th><th class=\"num\">Counted tokens</th>")
            .Append("<th>Beside it</th><th class=\"num\">Its cost</th><th class=\"num\">Its tokens</th><th class=\"num\">Its requests</th></tr></thead>\n<tbody>\n");
        foreach (var a in view.UsageSources)
        {
            html.Append("<tr><td class=\"mono\">").Append(E(a.Account)).Append("</td><td>").Append(E(SourceName(a.Counted)))
                .Append("</td><td class=\"num\">").Append(Costs(a.CountedUsage)).Append("</td><td class=\"num\">")
                .Append(E(N(a.CountedUsage.Sum(u => u.Tokens)))).Append("</td><td>").Append(E(SourceName(a.OtherName)))
                .Append("</td><td class=\"num\">").Append(Costs(a.Other)).Append("</td><td class=\"num\">")
                .Append(E(N(a.Other.Sum(u => u.Tokens)))).Append("</td><td class=\"num\">").Append(E(N(a.Other.Sum(u => u.Requests))))
                .Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static string SourceName(string source) => source == UsageSourceRepository.Proxy ? "metering proxy" : "provider's usage API";

    // One amount per currency (never added across currencies), unpriced usage said as such.
    private static string Costs(IReadOnlyList<SourceUsage> usage)
    {
        if (usage.Count == 0)
            return "<em>none</em>";
        var parts = usage.GroupBy(u => u.Currency, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => E(MoneyOf(g.Sum(u => u.CostMicros), g.Key)) + (g.Sum(u => u.UnpricedRows) is > 0 and var n ? "<span class=\"detail\">+ " + E(N(n)) + " unpriced</span>" : ""));
        return string.Join("<br>", parts);
    }
}
