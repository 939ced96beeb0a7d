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
    public required string Title { get; init; }
    public required string Detail { get; init; }
    public required string DedupKey { get; init; }
}
