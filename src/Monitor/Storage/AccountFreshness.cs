namespace Monitor.Storage;

/// <summary>How current an account's data is: its last successful and last failed pull, Unix seconds.</summary>
public sealed record AccountFreshness
{
    public string Account { get; init; } = "";
    public long? LastOkAt { get; init; }
    public long? LastFailedAt { get; init; }
    public string? LastError { get; init; }

    /// <summary>
    /// How far the account's data reaches: the end of its newest bucket, or when that bucket was ingested if earlier
    /// (a month-to-date bucket is complete up to its pull, not to the month's end).
    /// </summary>
    public long? LastBucketAt { get; init; }

    /// <summary>The newest format drift a pull of the account reported (<c>endpoint path: problem</c>), and when it was last seen.</summary>
    public string? LastDrift { get; init; }

    public long? LastDriftAt { get; init; }
}
