namespace Monitor.Storage;

/// <summary>A claimed outbox row: the message's bytes and where it goes. <see cref="AlertId"/> is null for a digest.</summary>
public sealed record OutboxItem(
    long Id, long? AlertId, string Channel, string DedupKey, string MessageId, IReadOnlyList<string> Recipients, string ContentType, byte[] Payload,
    int Attempts, DateTimeOffset CreatedAt);
