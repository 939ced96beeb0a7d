using System.Globalization;
using System.Text;
using Monitor.Storage;

namespace Monitor.Dashboard;

// The drill-down page of one account, key or model.
public static partial class DashboardHtml
{
    public static string RenderDrill(DrillView view, RenderContext context, Func<string, string> chartUrl, string csvUrl)
    {
        var html = new StringBuilder(32_768);
        var title = $"{Capitalised(view.Filter.Dimension)} {view.Filter.Value}";
        Header(html, title, null, view.Navigation, view.Now, context);
        var range = $"{Day(view.From)} to {Day(view.To.AddDays(-1))}, UTC";

        html.Append("<section class=\"wide\" id=\"drill-chart\">\n<h2>Cost per day by ")
            .Append(DashboardReader.DrillGrouping(view.Filter) == PanelGrouping.Model ? "model" : "key").Append("</h2>\n<p class=\"sub\">")
            .Append(E(range)).Append("</p>\n<form class=\"filters\" method=\"get\" action=\"/drill\">")
            .Append("<input type=\"hidden\" name=\"").Append(E(view.Filter.Dimension)).Append("\" value=\"").Append(E(view.Filter.Value)).Append("\">")
            .Append("<label>From <input type=\"date\" name=\"from\" value=\"").Append(E(Day(view.From))).Append("\"></label>")
            .Append("<label>To <input type=\"date\" name=\"to\" value=\"").Append(E(Day(view.To.AddDays(-1)))).Append("\"></label>")
            .Append("<button type=\"submit\">Show</button></form>\n<div class=\"charts\">\n");
        if (view.ChartCurrencies.Count == 0)
            html.Append("<p class=\"empty\">No priced usage in this window.</p>\n");
        foreach (var currency in view.ChartCurrencies)
        {
            if (view.ChartCurrencies.Count > 1)
                html.Append("<h3>").Append(E(currency)).Append("</h3>\n");
            Image(html, chartUrl(currency), $"{title}: cost per day in {currency}", context.DarkCharts);
        }

        html.Append("</div>\n</section>\n<section class=\"wide\" id=\"drill-table\">\n<h2>By day, model and key</h2>\n<p class=\"sub\">")
            .Append(E(view.TotalRows > view.Rows.Count
                ? $"The newest {view.Rows.Count.ToString(CultureInfo.InvariantCulture)} of {view.TotalRows.ToString(CultureInfo.InvariantCulture)} rows; the CSV has them all. "
                : ""))
            .Append("<a href=\"").Append(E(csvUrl)).Append("\" download>Export CSV</a></p>\n");
        if (view.Rows.Count == 0)
        {
            html.Append("<p class=\"empty\">No usage in this window.</p>\n");
        }
        else
        {
            html.Append("<table>\n<thead><tr><th>Day</th><th>Account</th><th>Model</th><th>Key</th><th>Currency</th><th class=\"num\">Cost</th>")
                .Append("<th class=\"num\">Requests</th><th class=\"num\">Tokens</th></tr></thead>\n<tbody>\n");
            foreach (var row in view.Rows)
            {
                html.Append("<tr><td>").Append(E(Day(DateTimeOffset.FromUnixTimeSeconds(row.Day)))).Append("</td><td class=\"mono\">")
                    .Append(Linked(PanelGrouping.Account, row.Account, row.Account, context)).Append("</td><td class=\"mono\">")
                    .Append(Linked(PanelGrouping.Model, row.Model, row.Model, context)).Append("</td><td class=\"mono\">")
                    .Append(row.KeyId.Length == 0 ? "<em>(no key id)</em>" : Linked(PanelGrouping.Key, row.KeyId, row.KeyName ?? row.KeyId, context))
                    .Append("</td><td>").Append(E(row.Currency)).Append("</td><td class=\"num\">")
                    .Append(row.UnpricedBuckets > 0 && row.CostMicros == 0 ? "<em>unpriced</em>" : E(MoneyOf(row.CostMicros, row.Currency)))
                    .Append("</td><td class=\"num\">").Append(E(N(row.Requests))).Append("</td><td class=\"num\">").Append(E(N(row.Tokens)))
                    .Append("</td></tr>\n");
            }

            html.Append("</tbody>\n</table>\n");
        }

        html.Append("</section>\n</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string Capitalised(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
