namespace Monitor.Storage;

/// <summary>
/// One row of a table panel: a group's total over the window. For cost, one row per (group, currency) with
/// <see cref="Value"/> in micro-units of the priced rows only and <see cref="UnpricedBuckets"/> counted apart;
/// for tokens and requests <see cref="Currency"/> is null.
/// </summary>
public sealed record GroupTotal
{
    public string Label { get; init; } = "";

    /// <summary>Secondary text: a key's fingerprint, an account's provider; null when none.</summary>
    public string? Detail { get; init; }

    /// <summary>A key's name from <c>api_keys</c> where known (key grouping only).</summary>
    public string? Name { get; init; }

    public string? Currency { get; init; }
    public long Value { get; init; }
    public long PricedBuckets { get; init; }
    public long UnpricedBuckets { get; init; }
    public long Requests { get; init; }
}
