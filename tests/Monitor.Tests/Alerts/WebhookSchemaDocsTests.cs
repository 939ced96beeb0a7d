using System.Text.Json;
using System.Text.RegularExpressions;
using Monitor.Alerts.Channels;
using Monitor.Core;
using Monitor.Core.Alerts;
using Monitor.Storage;

namespace Monitor.Tests.Alerts;

/// <summary>
/// The README's webhook examples against what the webhook really sends: one example per kind, each with the envelope
/// attributes <see cref="CloudEventMessage"/> writes and only fields its data has, so the documented schema cannot drift.
/// </summary>
public sealed partial class WebhookSchemaDocsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Readme_WebhookExamples_OnePerKindInTheShapeTheWebhookSends()
    {
        var sent = Sent();
        var sentData = sent.GetProperty("data").EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var examples = Examples();

        var kinds = Enum.GetValues<AlertKind>().Where(k => k != AlertKind.PullFailure).Select(k => SnakeCase.Of(k)).Order(StringComparer.Ordinal);
        Assert.Equal(kinds, examples.Select(e => e.GetProperty("data").GetProperty("kind").GetString()!).Order(StringComparer.Ordinal));
        foreach (var e in examples)
        {
            var kind = e.GetProperty("data").GetProperty("kind").GetString()!;
            Assert.True(SnakeCase.TryParse<AlertKind>(kind, out var parsed), kind);
            Assert.Equal(sent.EnumerateObject().Select(p => p.Name), e.EnumerateObject().Select(p => p.Name));
            Assert.Equal(CloudEventMessage.TypeOf(parsed), e.GetProperty("type").GetString());
            Assert.Equal("1.0", e.GetProperty("specversion").GetString());
            var data = e.GetProperty("data").EnumerateObject().Select(p => p.Name).ToList();
            Assert.All(data, name => Assert.Contains(name, sentData));
            foreach (var amount in e.GetProperty("data").GetProperty("amounts").EnumerateArray())
            {
                Assert.Equal(["name", "amount", "currency"], amount.EnumerateObject().Select(p => p.Name));
                Assert.Contains(amount.GetProperty("currency").GetString(), new[] { "USD", "EUR" });
                _ = amount.GetProperty("amount").GetDecimal();
            }
        }
    }

    // What the webhook sends for an alert that names everything (every optional field present).
    private static JsonElement Sent()
    {
        var alert = new AlertRow
        {
            Id = 7, Kind = AlertKind.Anomaly, Severity = AlertSeverity.Critical, Status = AlertStatus.Open, Account = "a", Workspace = "w",
            KeyId = "k", Model = "m", Title = "t", Detail = "d", RaisedAt = Now, OccurredAt = Now.AddHours(-1), Delivery = "immediate",
            DedupKey = "anomaly:a", Evidence = new AlertEvidence
            {
                Facts = [new AlertFact("f", "v")], Amounts = [new AlertAmount("extra_so_far", 1.5m, "USD")],
                Breakdowns = [new AlertBreakdown("Top models", [new AlertFact("m", "USD 1.50")])], Runbook = ["step"],
            },
        };
        var body = CloudEventMessage.Build(new ChannelAlert(alert, "https://monitor.example.com", "https://monitor.example.com/alerts/7", "https://monitor.example.com/alerts/7/chart.png"));
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static List<JsonElement> Examples()
    {
        var readme = File.ReadAllText(Path.Combine(Root(), "README.md"));
        var start = readme.IndexOf("### Webhook events", StringComparison.Ordinal);
        var end = readme.IndexOf("\n## ", start, StringComparison.Ordinal);
        Assert.True(start > 0 && end > start, "README.md has no '### Webhook events' section");
        return [.. JsonBlock().Matches(readme[start..end]).Select(m => JsonDocument.Parse(m.Groups[1].Value).RootElement.Clone())];
    }

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Monitor.sln")))
                return dir.FullName;
        }

        throw new InvalidOperationException("Monitor.sln not found above the test binaries");
    }

    [GeneratedRegex("```json\n(.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
