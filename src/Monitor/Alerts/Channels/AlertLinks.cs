using Microsoft.Extensions.Options;
using Monitor.Dashboard;
using Monitor.Hosting;

namespace Monitor.Alerts.Channels;

/// <summary>
/// The links a message carries: the dashboard, the alert's own page (its runbook, evidence and the ack and mute
/// buttons) and its chart as a PNG. The chart link is given only when Alerts:DashboardUrl is set: the default
/// address is this machine's loopback, which a chat service cannot fetch.
/// </summary>
public sealed class AlertLinks(IOptions<MonitorOptions> options)
{
    public string Dashboard
    {
        get
        {
            var configured = options.Value.Alerts.DashboardUrl;
            var url = !string.IsNullOrWhiteSpace(configured)
                ? configured
                : options.Value.Dashboard.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "http://127.0.0.1:5080";
            return url.TrimEnd('/');
        }
    }

    /// <summary>The alert's page; null for an alert not stored (a channel test).</summary>
    public string? Alert(long id) => id > 0 ? Dashboard + AlertPaths.Page(id) : null;

    public string? Chart(long id, bool hasChart) =>
        hasChart && id > 0 && !string.IsNullOrWhiteSpace(options.Value.Alerts.DashboardUrl) ? Dashboard + AlertPaths.Chart(id) : null;
}
