namespace Monitor.Storage;

/// <summary>One channel's outbox as the dashboard and /metrics show it: waiting, refused for good, delivered, and the last error.</summary>
public sealed record ChannelOutboxStatus(
    string Channel, long Pending, long Failed, long Sent, DateTimeOffset? LastSentAt, DateTimeOffset? NextAttemptAt, string? LastError);
