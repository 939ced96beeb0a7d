using System.Globalization;
using System.Text;
using Monitor.Core.Pricing;
using Monitor.Storage;

namespace Monitor.Dashboard;

/// <summary>
/// <c>/metrics</c> in the Prometheus text exposition format (version 0.0.4), so the monitor itself can be watched:
/// month-to-date spend per account and currency, pull outcomes and last success per account, open alerts per kind
/// and severity, and the outbox per channel (waiting, refused for good, delivered). Label values are escaped (backslash, quote, newline).
/// </summary>
public sealed class DashboardMetrics(Database database, TimeProvider clock)
{
    private readonly MetricsRepository _figures = new(database);

    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public async Task<string> RenderAsync(CancellationToken ct)
    {
        var (monthStart, tomorrow) = PanelWindow.MonthToDate.RangeOf(clock.GetUtcNow());
        var (spend, pulls, lastOk, alerts, outbox) = await _figures.ReadAsync(monthStart, tomorrow, ct);

        var text = new StringBuilder(4096);
        Family(text, "monitor_spend_month_to_date", "gauge", "Priced cost this UTC month per account, in the currency's units.");
        foreach (var (account, currency, micros) in spend)
            Sample(text, "monitor_spend_month_to_date", [("account", account), ("currency", currency)], Decimal(MoneyUnits.FromMicros(micros)));
        Family(text, "monitor_pull_runs_total", "counter", "Pulls recorded in the ledger per account and outcome (ok, failed).");
        foreach (var (account, outcome, count) in pulls)
            Sample(text, "monitor_pull_runs_total", [("account", account), ("outcome", outcome)], Integer(count));
        Family(text, "monitor_pull_last_success_timestamp_seconds", "gauge", "Start of the last successful pull per account, Unix seconds.");
        foreach (var (account, at) in lastOk)
            Sample(text, "monitor_pull_last_success_timestamp_seconds", [("account", account)], Integer(at));
        Family(text, "monitor_alerts_open", "gauge", "Alerts not yet acknowledged, muted or marked false, per kind and severity.");
        foreach (var (kind, severity, count) in alerts)
            Sample(text, "monitor_alerts_open", [("kind", kind), ("severity", severity)], Integer(count));
        Family(text, "monitor_outbox_pending", "gauge", "Alert messages waiting for their channel to accept them (retried), per channel.");
        foreach (var c in outbox)
            Sample(text, "monitor_outbox_pending", [("channel", c.Channel)], Integer(c.Pending));
        Family(text, "monitor_outbox_failed", "gauge", "Alert messages a channel refused for good (a 4xx other than 429): never retried, shown on the dashboard.");
        foreach (var c in outbox)
            Sample(text, "monitor_outbox_failed", [("channel", c.Channel)], Integer(c.Failed));
        Family(text, "monitor_outbox_sent", "gauge", "Alert messages a channel accepted, per channel.");
        foreach (var c in outbox)
            Sample(text, "monitor_outbox_sent", [("channel", c.Channel)], Integer(c.Sent));
        return text.ToString();
    }

    /// <summary>A label value as the exposition format wants it: backslash, double quote and line feed escaped.</summary>
    public static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static void Family(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string name, (string Name, string Value)[] labels, string value)
    {
        text.Append(name);
        if (labels.Length > 0)
            text.Append('{').AppendJoin(',', labels.Select(l => $"{l.Name}=\"{Escape(l.Value)}\"")).Append('}');
        text.Append(' ').Append(value).Append('\n');
    }

    private static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Decimal(decimal value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
