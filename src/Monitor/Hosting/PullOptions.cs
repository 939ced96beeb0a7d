namespace Monitor.Hosting;

/// <summary>How pulls walk time. Applies to every account.</summary>
public sealed class PullOptions
{
    /// <summary>Re-read this much before the watermark on every pull: providers revise recent buckets.</summary>
    public TimeSpan LookBack { get; set; } = TimeSpan.FromDays(2);

    /// <summary>How far back the first pull of a new account reaches.</summary>
    public TimeSpan InitialBackfill { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A long window is pulled and committed in chunks of this size, so a failure loses no finished chunk.</summary>
    public TimeSpan ChunkSize { get; set; } = TimeSpan.FromDays(7);

    /// <summary>An account whose last successful pull is older than this raises a stale-data alert.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromHours(6);

    /// <summary>First retry delay after a 5xx or timeout; later ones grow exponentially, with jitter. A 429's Retry-After wins.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Timeout of one HTTP attempt (retries come on top).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
