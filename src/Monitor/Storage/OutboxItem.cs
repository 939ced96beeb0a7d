namespace Monitor.Storage;

/// <summary>A claimed outbox row: the mail's bytes and where it goes. <see cref="AlertId"/> is null for a digest.</summary>
public sealed record OutboxItem(long Id, long? AlertId, string DedupKey, IReadOnlyList<string> Recipients, byte[] Mime, int Attempts, DateTimeOffset CreatedAt);
