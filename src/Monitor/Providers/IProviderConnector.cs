using Monitor.Hosting;

namespace Monitor.Providers;

/// <summary>
/// What a pull needs from one provider account: usage for a window, and the inventories (keys, models, limits).
/// One implementation per provider, each in its own file with its DTO handling and ledger mapping.
/// </summary>
public interface IProviderConnector
{
    ProviderOptions Account { get; }

    /// <summary>Format drift this connector saw (unexpected field types, unknown usage categories), drained by the pull service.</summary>
    DriftLog Drift { get; }

    /// <summary>
    /// Splits [from, to) into the windows this provider is pulled and committed in (whole days, whole months),
    /// at most about <paramref name="chunk"/> long.
    /// </summary>
    IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> Chunk(DateTimeOffset from, DateTimeOffset to, TimeSpan chunk);

    /// <summary>All usage in one window from <see cref="Chunk"/>; the result names the exact window it replaces.</summary>
    Task<UsagePull> PullUsageAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct);

    Task<InventoryPull> PullInventoryAsync(CancellationToken ct);
}
