namespace Monitor.Storage;

/// <summary>One metered proxy bucket: the caller's key fingerprint, the model as answered, its minute and its priced cost.</summary>
public sealed record MeteredMinute(string Fingerprint, string Model, string Currency, DateTimeOffset Start, long CostMicros);
