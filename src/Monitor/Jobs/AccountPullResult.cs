namespace Monitor.Jobs;

/// <summary>The outcome of pulling one account: records written, and the error that stopped it, if any.</summary>
public sealed record AccountPullResult(string Account, long Records, string? Error)
{
    public bool Ok => Error is null;
}
