namespace Monitor.Dashboard;

/// <summary>How current an account's data is: its last successful and last failed pull, Unix seconds.</summary>
public sealed record AccountFreshness
{
    public string Account { get; init; } = "";
    public long? LastOkAt { get; init; }
    public long? LastFailedAt { get; init; }
    public string? LastError { get; init; }

    /// <summary>The newest bucket the ledger holds for the account.</summary>
    public long? LastBucketAt { get; init; }
}
