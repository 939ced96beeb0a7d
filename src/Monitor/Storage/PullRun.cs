namespace Monitor.Storage;

/// <summary>
/// One recorded pull: account, endpoint, window, records written, duration, outcome (ok or failed), error, and the
/// format drift it saw (one <c>endpoint path: problem</c> a line).
/// </summary>
public sealed record PullRun(
    string Account, string Endpoint, DateTimeOffset? WindowStart, DateTimeOffset? WindowEnd, long Records,
    DateTimeOffset StartedAt, long DurationMs, string Outcome, string? Error, string? Drift = null);
