namespace Monitor.Storage;

/// <summary>A model with usage but no cost (no reported cost and no catalog price) in a window.</summary>
public sealed record UnpricedModel
{
    public string Account { get; init; } = "";
    public string Model { get; init; } = "";
    public string Currency { get; init; } = "";
    public long Buckets { get; init; }
    public long Requests { get; init; }
    public long Tokens { get; init; }
}
