using Monitor.Core.Pricing;

namespace Monitor.Core.Keys;

/// <summary>
/// What a key did since an instant (a rotation's grace end, its deletion): from the ledger's buckets for the key, and
/// the provider listing's last-used time for providers without per-key usage.
/// </summary>
public sealed record KeyUsage
{
    public static KeyUsage None { get; } = new();

    public long Requests { get; init; }
    public decimal Cost { get; init; }
    public Currency? Currency { get; init; }

    /// <summary>Per model: requests and cost, largest first.</summary>
    public IReadOnlyList<(string Model, long Requests, decimal Cost)> Models { get; init; } = [];

    /// <summary>Cost per UTC day (the evidence chart).</summary>
    public IReadOnlyList<(DateTimeOffset Day, decimal Cost)> Days { get; init; } = [];

    public DateTimeOffset? FirstAt { get; init; }
    public DateTimeOffset? LastAt { get; init; }

    /// <summary>The listing's last-used time when it falls in the period (day granularity at Mistral).</summary>
    public DateTimeOffset? ListedLastUsedAt { get; init; }

    public bool Any => Requests > 0 || ListedLastUsedAt is not null;
}
