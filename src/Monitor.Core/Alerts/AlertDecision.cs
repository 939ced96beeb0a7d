namespace Monitor.Core.Alerts;

/// <summary>
/// An alert Core has decided to raise. <see cref="DedupKey"/> identifies the incident: raising the same key again is
/// a no-op, so a decision can be re-evaluated as often as wanted without repeating itself.
/// </summary>
public sealed record AlertDecision
{
    public required AlertKind Kind { get; init; }
    public required AlertSeverity Severity { get; init; }
    public string? Account { get; init; }
    public string? Workspace { get; init; }
    public string? KeyId { get; init; }
    public string? Model { get; init; }

    /// <summary>The email subject and the dashboard's headline: short, with the numbers that matter.</summary>
    public required string Title { get; init; }

    /// <summary>One or two plain sentences saying what happened and why it matters.</summary>
    public required string Detail { get; init; }

    public required string DedupKey { get; init; }

    /// <summary>When the incident really started (an anomaly found in a backfill is dated at its start, not at the check).</summary>
    public DateTimeOffset? OccurredAt { get; init; }

    /// <summary>The numbers, breakdowns, runbook and chart behind the alert; shown in the email and on the dashboard.</summary>
    public AlertEvidence Evidence { get; init; } = AlertEvidence.None;

    /// <summary>Recipients for this alert instead of the global ones (a budget's <c>To</c>, a key's owner plus the defaults).</summary>
    public IReadOnlyList<string> To { get; init; } = [];

    /// <summary>
    /// Alerts sharing this key within the cooldown go to the digest instead of a mail each. Null: kind plus scope.
    /// </summary>
    public string? CooldownKey { get; init; }

    public string EffectiveCooldownKey =>
        CooldownKey ?? $"{SnakeCase.Of(Kind)}:{Account}:{Workspace}:{KeyId}:{Model}";
}
