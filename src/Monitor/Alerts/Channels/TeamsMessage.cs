using System.Text;
using System.Text.Json.Nodes;
using Monitor.Core;
using Monitor.Core.Alerts;

namespace Monitor.Alerts.Channels;

/// <summary>
/// A Teams Workflows-webhook message: one Adaptive Card (1.4) with the title, the detail, the figures, the top models
/// and keys, the runbook steps, and buttons to the alert's page (its runbook), the dashboard and the chart PNG.
/// Provider values go into RichTextBlock text runs and fact values with CommonMark's punctuation escaped, so a model
/// name is shown as written, never as markdown or a link; the JSON serializer owns the JSON encoding.
/// </summary>
public static class TeamsMessage
{
    private const int BreakdownRows = 5;

    public static byte[] Build(ChannelAlert message)
    {
        var a = message.Alert;
        var body = new JsonArray
        {
            Rich(a.Title, bold: true, size: "Large", color: Color(a.Severity)),
            Rich(a.Detail),
        };
        if (message.Scope.Length > 0)
            body.Add(Rich(message.Scope, subtle: true));
        if (a.Evidence.Facts.Count > 0)
            body.Add(Facts(a.Evidence.Facts));
        foreach (var b in a.Evidence.Breakdowns.Where(b => b.Rows.Count > 0))
        {
            body.Add(Rich(b.Title, bold: true));
            body.Add(Facts([.. b.Rows.Take(BreakdownRows)]));
        }

        if (a.Evidence.Runbook.Count > 0)
        {
            body.Add(Rich("What to do", bold: true));
            body.Add(Rich(string.Join('\n', a.Evidence.Runbook.Select((step, i) => $"{i + 1}. {step}"))));
        }

        body.Add(Rich($"{SnakeCase.Of(a.Kind)} · {SnakeCase.Of(a.Severity)}", subtle: true));
        var actions = new JsonArray();
        if (message.Page is { } page)
            actions.Add(Open("Runbook and alert", page));
        actions.Add(Open("Dashboard", message.Dashboard));
        if (message.Chart is { } chart)
            actions.Add(Open("Chart", chart));
        return Card(body, actions);
    }

    /// <summary>One card for a channel's digest: a line per alert, grouped by kind, most severe first.</summary>
    public static byte[] BuildDigest(string label, IReadOnlyList<ChannelAlert> alerts, string dashboard)
    {
        var body = new JsonArray { Rich(SlackMessage.DigestTitle(label, alerts.Count), bold: true, size: "Large") };
        foreach (var group in alerts.OrderByDescending(m => m.Alert.Severity).ThenBy(m => m.Alert.RaisedAt).GroupBy(m => m.Alert.Kind))
        {
            body.Add(Rich(SlackMessage.Heading(group.Key), bold: true));
            var lines = group.Take(SlackMessage.DigestLinesPerKind).Select(m => $"• {m.Alert.Title}").ToList();
            if (group.Count() > SlackMessage.DigestLinesPerKind)
                lines.Add(SlackMessage.MoreOnTheDashboard(group.Count() - SlackMessage.DigestLinesPerKind));
            body.Add(Rich(string.Join('\n', lines)));
        }

        return Card(body, [Open("Dashboard", dashboard)]);
    }

    /// <summary>CommonMark's backslash escapes for the punctuation Adaptive Cards' markdown reads (fact values are markdown).</summary>
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c is '\\' or '*' or '_' or '[' or ']' or '(' or ')' or '#' or '`' or '~' or '>' or '-' or '+' or '!' or '{' or '}' or '|')
                sb.Append('\\');
            sb.Append(c);
        }

        return sb.ToString();
    }

    private static byte[] Card(JsonArray body, JsonArray actions)
    {
        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["msteams"] = new JsonObject { ["width"] = "Full" },
            ["body"] = body,
            ["actions"] = actions,
        };
        var message = new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray(new JsonObject
            {
                ["contentType"] = "application/vnd.microsoft.card.adaptive",
                ["contentUrl"] = null,
                ["content"] = card,
            }),
        };
        return Encoding.UTF8.GetBytes(message.ToJsonString());
    }

    // RichTextBlock text runs are never read as markdown: provider values are shown as written.
    private static JsonObject Rich(string text, bool bold = false, string? size = null, string? color = null, bool subtle = false)
    {
        var run = new JsonObject { ["type"] = "TextRun", ["text"] = text };
        if (bold)
            run["weight"] = "Bolder";
        if (size is not null)
            run["size"] = size;
        if (color is not null)
            run["color"] = color;
        if (subtle)
            run["isSubtle"] = true;
        return new JsonObject { ["type"] = "RichTextBlock", ["inlines"] = new JsonArray(run) };
    }

    private static JsonObject Facts(IReadOnlyList<AlertFact> facts) => new()
    {
        ["type"] = "FactSet",
        ["facts"] = new JsonArray([.. facts.Select(f => (JsonNode)new JsonObject { ["title"] = Escape(f.Label), ["value"] = Escape(f.Value) })]),
    };

    private static JsonObject Open(string title, string url) => new() { ["type"] = "Action.OpenUrl", ["title"] = title, ["url"] = url };

    private static string Color(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => "Attention",
        AlertSeverity.Warning => "Warning",
        _ => "Accent",
    };
}
