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

    /// <summary>The decision this alert was stored from (what the mail composer reads).</summary>
    public AlertDecision ToDecision() => new()
    {
        Kind = Kind, Severity = Severity, Account = Account, Workspace = Workspace, KeyId = KeyId, Model = Model, Title = Title,
        Detail = Detail, DedupKey = DedupKey, OccurredAt = OccurredAt, Evidence = Evidence, To = Recipients,
    };

    /// <summary>A decision as stored under <paramref name="id"/> (what the channels' messages are composed from).</summary>
    public static AlertRow Of(AlertDecision d, long id, DateTimeOffset raisedAt, AlertStatus status, string delivery) => new()
    {
        Id = id, Kind = d.Kind, Severity = d.Severity, Status = status, Account = d.Account, Workspace = d.Workspace, KeyId = d.KeyId,
        Model = d.Model, Title = d.Title, Detail = d.Detail, RaisedAt = raisedAt, OccurredAt = d.OccurredAt, Delivery = delivery,
        DedupKey = d.DedupKey, Evidence = d.Evidence, Recipients = d.To,
    };
}
