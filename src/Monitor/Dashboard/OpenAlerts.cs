using Monitor.Core.Alerts;
using Monitor.Storage;

namespace Monitor.Dashboard;

/// <summary>The order the dashboard lists open alerts in: anomalies first, then by severity, then newest first.</summary>
public static class OpenAlerts
{
    /// <summary>Open means not handled yet: raised (open) or mailed (sent).</summary>
    public static IReadOnlyCollection<AlertStatus> Statuses { get; } = [AlertStatus.Open, AlertStatus.Sent];

    public static IReadOnlyList<AlertRow> Order(IEnumerable<AlertRow> alerts) =>
        [.. alerts.OrderBy(a => a.Kind == AlertKind.Anomaly ? 0 : 1)
            .ThenByDescending(a => a.Severity)
            .ThenByDescending(a => a.RaisedAt)
            .ThenByDescending(a => a.Id)];
}
