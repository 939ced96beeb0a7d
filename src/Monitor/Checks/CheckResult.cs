namespace Monitor.Checks;

/// <summary>What one check did: decisions per evaluator, new alerts, mails sent and still waiting, evaluators that failed, the last delivery error.</summary>
public sealed record CheckResult(
    DateTimeOffset AsOf,
    IReadOnlyDictionary<string, int> Decisions,
    IReadOnlyDictionary<string, TimeSpan> Durations,
    int Raised,
    int Sent,
    int Pending,
    IReadOnlyList<string> Failures,
    string? DeliveryError);
