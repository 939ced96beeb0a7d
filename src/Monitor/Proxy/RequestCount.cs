namespace Monitor.Proxy;

/// <summary>Forwarded calls of one account, key fingerprint, model, UTC minute and upstream status; <see cref="Metered"/> of them reported usage.</summary>
public sealed record RequestCount(string Account, string KeyFingerprint, string Model, DateTimeOffset Minute, int Status, long Requests, long Metered);
