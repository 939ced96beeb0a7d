using Monitor.Core.Usage;

namespace Monitor.Storage;

/// <summary>
/// An account's two usage sources over a window: the one it counts (<see cref="Counted"/>: api or proxy) and the other,
/// kept and shown beside it, never added. One entry per source side and currency (model and key are empty).
/// </summary>
public sealed record SourceTotals
{
    public required string Account { get; init; }
    public required string Counted { get; init; }
    public required IReadOnlyList<SourceUsage> CountedUsage { get; init; }
    public required IReadOnlyList<SourceUsage> Other { get; init; }

    /// <summary>The name of the source not counted.</summary>
    public string OtherName => Counted == UsageSourceRepository.Proxy ? UsageSourceRepository.Api : UsageSourceRepository.Proxy;
}
