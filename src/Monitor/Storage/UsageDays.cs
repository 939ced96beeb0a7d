namespace Monitor.Storage;

/// <summary>A scope's usage over a window per UTC day and model, with its exact first and last bucket (Unix seconds).</summary>
public sealed record UsageDays(IReadOnlyList<UsageDay> Days, long FirstBucket, long LastBucket);
