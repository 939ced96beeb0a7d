using System.Globalization;

namespace Monitor.Dashboard;

/// <summary>
/// The served URLs of one stored alert: its page (facts, breakdowns, runbook, chart, acknowledge and mute) and its
/// evidence chart. The overview links to the page; chat messages link to both.
/// </summary>
public static class AlertPaths
{
    public static string Page(long id) => "/alerts/" + id.ToString(CultureInfo.InvariantCulture);

    public static string Chart(long id) => Page(id) + "/chart.png";

    public static string Acknowledge(long id) => Page(id) + "/ack";

    public static string Mute(long id) => Page(id) + "/mute";
}
