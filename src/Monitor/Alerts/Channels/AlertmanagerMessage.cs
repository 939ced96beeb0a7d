using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Monitor.Core;

namespace Monitor.Alerts.Channels;

/// <summary>
/// An Alertmanager channel's message: a POST to <c>/api/v2/alerts</c> with one alert. Labels identify it (alertname,
/// kind, severity, account, workspace, key, model, and alert_id so two alerts on one scope stay two); annotations
/// carry the title, the detail and the runbook link. A firing alert ends <c>ExpiresAfter</c> after it is sent unless
/// it is handled first; acknowledging, muting or marking it false sends it again with <c>endsAt</c> = then, which
/// resolves it, so Alertmanager's routing, silences and integrations work as for any other source.
/// </summary>
public static class AlertmanagerMessage
{
    public const string Path = "api/v2/alerts";

    public static byte[] Build(ChannelAlert message, DateTimeOffset endsAt)
    {
        var a = message.Alert;
        var labels = new JsonObject
        {
            ["alertname"] = "LlmSpend" + a.Kind,
            ["kind"] = SnakeCase.Of(a.Kind),
            ["severity"] = SnakeCase.Of(a.Severity),
            ["alert_id"] = a.Id > 0 ? a.Id.ToString(CultureInfo.InvariantCulture) : "test",
        };
        // An empty label is no label in Alertmanager: only the parts of the scope the alert names.
        foreach (var (name, value) in message.Parts())
            labels[name] = value;

        var annotations = new JsonObject { ["title"] = a.Title, ["summary"] = a.Title, ["detail"] = a.Detail, ["description"] = a.Detail };
        annotations["runbook"] = message.Page ?? message.Dashboard;
        annotations["runbook_url"] = message.Page ?? message.Dashboard;
        annotations["dashboard"] = message.Dashboard;
        if (message.Chart is { } chart)
            annotations["chart"] = chart;

        var alert = new JsonObject
        {
            ["labels"] = labels,
            ["annotations"] = annotations,
            ["startsAt"] = Time(a.OccurredAt is { } o && o < a.RaisedAt ? o : a.RaisedAt),
            ["endsAt"] = Time(endsAt),
            ["generatorURL"] = message.Page ?? message.Dashboard,
        };
        return Encoding.UTF8.GetBytes(new JsonArray(alert).ToJsonString());
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
