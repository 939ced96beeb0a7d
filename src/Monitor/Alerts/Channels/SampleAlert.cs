using System.Globalization;
using Monitor.Core;
using Monitor.Core.Alerts;
using Monitor.Storage;

namespace Monitor.Alerts.Channels;

/// <summary>The alert <c>monitor alerts test</c> sends: marked as a test, with figures, breakdowns and a runbook like a real one.</summary>
public static class SampleAlert
{
    public static AlertRow Create(AlertKind kind, string channel, DateTimeOffset now)
    {
        var stamp = now.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        return new AlertRow
        {
            Id = 0,
            Kind = kind,
            Severity = AlertSeverity.Warning,
            Status = AlertStatus.Open,
            Account = "sample-account",
            Model = "sample-model",
            Title = $"[test] A sample {SnakeCase.Of(kind).Replace('_', ' ')} alert from llm-spend-monitor",
            Detail = $"This is a test sent at {stamp} with 'monitor alerts test --channel {channel}'. If you read it, the channel works; nothing needs doing.",
            RaisedAt = now,
            Delivery = "immediate",
            DedupKey = $"test:{channel}:{now.ToUnixTimeSeconds()}",
            Evidence = new AlertEvidence
            {
                Facts = [new AlertFact("Spent", "USD 812.40 (81.2 %)"), new AlertFact("Budget", "USD 1000.00 per month")],
                Amounts = [new AlertAmount("spent", 812.40m, "USD"), new AlertAmount("budget", 1000m, "USD")],
                Breakdowns =
                [
                    new AlertBreakdown("Top models", [new AlertFact("sample-model", "USD 640.10"), new AlertFact("sample-model-mini", "USD 172.30")]),
                    new AlertBreakdown("Top keys", [new AlertFact("key_sample (…abcd)", "USD 812.40")]),
                ],
                Runbook = ["Nothing: this is a test.", "Remove the channel from Monitor:Alerts:Channels if it should not get alerts."],
            },
        };
    }
}
