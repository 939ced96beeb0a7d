using Monitor.Core.Alerts;

namespace Monitor.Storage;

/// <summary>A stored alert as the CLI, the dashboard and the mail composer read it.</summary>
public sealed record AlertRow
{
    public required long Id { get; init; }
    public required AlertKind Kind { get; init; }
    public required AlertSeverity Severity { get; init; }
    public required AlertStatus Status { get; init; }
    public string? Account { get; init; }
    public string? Workspace { get; init; }
    public string? KeyId { get; init; }
    public string? Model { get; init; }
    public required string Title { get; init; }
    public required string Detail { get; init; }
    public required DateTimeOffset RaisedAt { get; init; }
    public DateTimeOffset? OccurredAt { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public required string Delivery { get; init; }
    public required string DedupKey { get; init; }
    public AlertEvidence Evidence { get; init; } = AlertEvidence.None;

    /// <summary>Where its mail goes instead of the global recipients (a budget's <c>To</c>, a key's owner); empty: the global ones.</summary>
    public IReadOnlyList<string> Recipients { get; init; } = [];
}
