using System.Text;
using System.Text.Json.Nodes;
using Monitor.Core;
using Monitor.Core.Alerts;

namespace Monitor.Alerts.Channels;

/// <summary>
/// A Slack incoming-webhook message (Block Kit): the title as the header, the detail, the figures, the top models and
/// keys, the runbook steps, and the links (the alert's page with its runbook, the dashboard, the chart PNG). Provider
/// values are escaped for mrkdwn (&amp;, &lt;, &gt;), so a model name can never become a link or a mention; the JSON
/// serializer owns the JSON encoding. Texts are cut to Block Kit's limits.
/// </summary>
public static class SlackMessage
{
    private const int HeaderMax = 150;
    private const int TextMax = 3000;
    private const int FieldsMax = 10;
    private const int BreakdownRows = 5;

    /// <summary>A digest lists this many alerts per kind; the rest are counted (chat services cap a message's size).</summary>
    public const int DigestLinesPerKind = 20;

    public static byte[] Build(ChannelAlert message)
    {
        var a = message.Alert;
        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = PlainText($"{Mark(a.Severity)} {a.Title}", HeaderMax) },
            Section($"{Escape(a.Detail)}{(message.Scope.Length > 0 ? $"\n_{Escape(message.Scope)}_" : "")}"),
        };
        var facts = a.Evidence.Facts.Take(FieldsMax).Select(f => (JsonNode)Mrkdwn($"*{Escape(f.Label)}*\n{Escape(f.Value)}", 2000)).ToArray();
        if (facts.Length > 0)
            blocks.Add(new JsonObject { ["type"] = "section", ["fields"] = new JsonArray(facts) });
        foreach (var b in a.Evidence.Breakdowns.Where(b => b.Rows.Count > 0))
            blocks.Add(Section($"*{Escape(b.Title)}*\n{string.Join('\n', b.Rows.Take(BreakdownRows).Select(r => $"• {Escape(r.Label)}: {Escape(r.Value)}"))}"));
        if (a.Evidence.Runbook.Count > 0)
            blocks.Add(Section($"*What to do*\n{string.Join('\n', a.Evidence.Runbook.Select((step, i) => $"{i + 1}. {Escape(step)}"))}"));
        blocks.Add(Context(message));
        return Json(new JsonObject { ["text"] = Fallback(a.Severity, a.Title), ["blocks"] = blocks });
    }

    /// <summary>One message for a channel's digest: a line per alert, grouped by kind, most severe first.</summary>
    public static byte[] BuildDigest(string label, IReadOnlyList<ChannelAlert> alerts, string dashboard)
    {
        var title = DigestTitle(label, alerts.Count);
        var blocks = new JsonArray { new JsonObject { ["type"] = "header", ["text"] = PlainText(title, HeaderMax) } };
        foreach (var group in alerts.OrderByDescending(m => m.Alert.Severity).ThenBy(m => m.Alert.RaisedAt).GroupBy(m => m.Alert.Kind).Take(45))
        {
            var lines = new StringBuilder().Append('*').Append(Escape(Heading(group.Key))).Append('*');
            foreach (var m in group.Take(DigestLinesPerKind))
                lines.Append('\n').Append("• ").Append(m.Page is { } page ? Link(page, m.Alert.Title) : Escape(m.Alert.Title));
            if (group.Count() > DigestLinesPerKind)
                lines.Append('\n').Append(MoreOnTheDashboard(group.Count() - DigestLinesPerKind));
            blocks.Add(Section(lines.ToString()));
        }

        blocks.Add(new JsonObject { ["type"] = "context", ["elements"] = new JsonArray(Mrkdwn(Link(dashboard, "Dashboard"), TextMax)) });
        return Json(new JsonObject { ["text"] = Escape(title), ["blocks"] = blocks });
    }

    public static string DigestTitle(string label, int count) => $"Digest {label}: {count} alert{(count == 1 ? "" : "s")}";

    public static string MoreOnTheDashboard(int more) => $"… and {more} more on the dashboard";

    public static string Heading(AlertKind kind) => SnakeCase.Of(kind).Replace('_', ' ');

    /// <summary>mrkdwn's three control characters; everything else is shown as written.</summary>
    public static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static JsonObject Context(ChannelAlert message)
    {
        var a = message.Alert;
        var parts = new List<string> { $"{SnakeCase.Of(a.Kind)} · {SnakeCase.Of(a.Severity)}" };
        if (message.Page is { } page)
            parts.Add(Link(page, "Runbook and alert"));
        parts.Add(Link(message.Dashboard, "Dashboard"));
        if (message.Chart is { } chart)
            parts.Add(Link(chart, "Chart"));
        return new JsonObject { ["type"] = "context", ["elements"] = new JsonArray(Mrkdwn(string.Join(" · ", parts), TextMax)) };
    }

    private static string Link(string url, string text) => $"<{Escape(url).Replace("|", "%7C", StringComparison.Ordinal)}|{Escape(text)}>";

    private static string Mark(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => ":red_circle:",
        AlertSeverity.Warning => ":large_orange_circle:",
        _ => ":large_blue_circle:",
    };

    // The notification text is read as mrkdwn too: escaped like the blocks.
    private static string Fallback(AlertSeverity severity, string title) => $"[{SnakeCase.Of(severity)}] {Escape(title)}";

    private static JsonObject Section(string mrkdwn) => new() { ["type"] = "section", ["text"] = Mrkdwn(mrkdwn, TextMax) };

    private static JsonObject Mrkdwn(string text, int max) => new() { ["type"] = "mrkdwn", ["text"] = Cut(text, max) };

    private static JsonObject PlainText(string text, int max) => new() { ["type"] = "plain_text", ["text"] = Cut(text, max), ["emoji"] = true };

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static byte[] Json(JsonObject message) => Encoding.UTF8.GetBytes(message.ToJsonString());
}
