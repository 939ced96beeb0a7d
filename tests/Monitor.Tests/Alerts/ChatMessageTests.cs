using System.Text.Json;
using Monitor.Alerts.Channels;
using Monitor.Core.Alerts;
using Monitor.Storage;

namespace Monitor.Tests.Alerts;

/// <summary>The Slack and Teams messages alone: provider values can never become markup, a mention or a link; digests stay small.</summary>
public sealed class ChatMessageTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    private static ChannelAlert Alert(long id, string model, AlertKind kind = AlertKind.Anomaly) => new(
        new AlertRow
        {
            Id = id, Kind = kind, Severity = AlertSeverity.Warning, Status = AlertStatus.Open, Account = "acme", Model = model,
            Title = $"[Anomaly] acme {model}: USD 12.00/hour", Detail = $"{model} spends", RaisedAt = Now, Delivery = "immediate", DedupKey = $"k{id}",
            Evidence = new AlertEvidence { Facts = [new AlertFact("Model", model)], Breakdowns = [new AlertBreakdown("Top models", [new AlertFact(model, "USD 12.00")])] },
        },
        "https://monitor.example.com", $"https://monitor.example.com/alerts/{id}", null);

    private static IEnumerable<string> Strings(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Strings(p.Value)),
        JsonValueKind.Array => e.EnumerateArray().SelectMany(Strings),
        JsonValueKind.String => [e.GetString()!],
        _ => [],
    };

    [Fact]
    public void Slack_ModelNameWithMentionAndLink_EscapedEverywhereButTheHeader()
    {
        const string model = "<!channel> <https://evil.example|click> & co";

        using var json = JsonDocument.Parse(SlackMessage.Build(Alert(1, model)));

        var blocks = json.RootElement.GetProperty("blocks").EnumerateArray().ToList();
        var header = blocks[0].GetProperty("text");
        Assert.Equal("plain_text", header.GetProperty("type").GetString()); // plain text: never parsed
        var mrkdwn = Strings(json.RootElement).Where(t => t != header.GetProperty("text").GetString()).ToList();
        Assert.DoesNotContain(mrkdwn, t => t.Contains("<!channel>", StringComparison.Ordinal) || t.Contains("<https://evil", StringComparison.Ordinal));
        Assert.Contains(mrkdwn, t => t.Contains("&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; co", StringComparison.Ordinal));
    }

    [Fact]
    public void Teams_ModelNameWithMarkdownLink_ShownAsWritten()
    {
        const string model = "[click](https://evil.example) *bold*";

        using var json = JsonDocument.Parse(TeamsMessage.Build(Alert(1, model)));

        var card = json.RootElement.GetProperty("attachments")[0].GetProperty("content");
        var facts = card.GetProperty("body").EnumerateArray().Where(b => b.GetProperty("type").GetString() == "FactSet")
            .SelectMany(b => b.GetProperty("facts").EnumerateArray()).Select(f => f.GetProperty("value").GetString()).ToList();
        Assert.Contains("\\[click\\]\\(https://evil.example\\) \\*bold\\*", facts);
        var runs = card.GetProperty("body").EnumerateArray().Where(b => b.GetProperty("type").GetString() == "RichTextBlock")
            .Select(b => b.GetProperty("inlines")[0].GetProperty("text").GetString()).ToList();
        Assert.Contains($"{model} spends", runs); // text runs are never read as markdown: as written
    }

    [Fact]
    public void Digests_ManyAlertsOfAKind_ListTwentyAndCountTheRest()
    {
        var alerts = Enumerable.Range(1, 25).Select(i => Alert(i, $"m{i}")).ToList();

        using var slack = JsonDocument.Parse(SlackMessage.BuildDigest("2026-12-06", alerts, "https://monitor.example.com"));
        using var teams = JsonDocument.Parse(TeamsMessage.BuildDigest("2026-12-06", alerts, "https://monitor.example.com"));

        var slackText = string.Join('\n', Strings(slack.RootElement));
        var teamsText = string.Join('\n', Strings(teams.RootElement));
        Assert.Equal(20, slackText.Split("• ").Length - 1);
        Assert.Equal(20, teamsText.Split("• ").Length - 1);
        Assert.Contains("… and 5 more on the dashboard", slackText, StringComparison.Ordinal);
        Assert.Contains("… and 5 more on the dashboard", teamsText, StringComparison.Ordinal);
        Assert.Contains("Digest 2026-12-06: 25 alerts", slackText, StringComparison.Ordinal);
    }
}
