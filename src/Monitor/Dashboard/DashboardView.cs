using Monitor.Storage;

namespace Monitor.Dashboard;

/// <summary>Everything one page shows: its panels plus the fixed sections (freshness, spend limits, unpriced models).</summary>
public sealed record DashboardView
{
    public required DashboardPage Page { get; init; }
    public required IReadOnlyList<DashboardPage> Navigation { get; init; }
    public required DateTimeOffset Now { get; init; }

    /// <summary>An account whose last successful pull is older than this shows as stale (Monitor:Pull:StaleAfter).</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromHours(6);
    public required IReadOnlyList<PanelView> Panels { get; init; }
    public required IReadOnlyList<AccountFreshness> Freshness { get; init; }
    public required IReadOnlyList<SpendLimitRow> SpendLimits { get; init; }

    /// <summary>The unpriced models over the page's widest window, [UnpricedFrom, UnpricedTo).</summary>
    public required IReadOnlyList<UnpricedModel> Unpriced { get; init; }

    public required DateTimeOffset UnpricedFrom { get; init; }

    /// <summary>Open alerts (anomalies first), when the page shows the alerts section.</summary>
    public IReadOnlyList<AlertRow> Alerts { get; init; } = [];

    /// <summary>The outbox per channel, shown under the alerts when a message waits or was refused.</summary>
    public IReadOnlyList<ChannelOutboxStatus> Delivery { get; init; } = [];

    public IReadOnlyList<DeprecationDue> Deprecations { get; init; } = [];
    public IReadOnlyList<KeyDue> KeysDue { get; init; } = [];

    /// <summary>Month to date per account with two usage sources: the counted one and the other beside it.</summary>
    public IReadOnlyList<SourceTotals> UsageSources { get; init; } = [];

    /// <summary>Month-to-date reported against estimated cost per account and currency.</summary>
    public IReadOnlyList<ReconciliationGap> Reconciliation { get; init; } = [];

    /// <summary>True when a deprecation source / key rotation source is registered (else the section says none is configured).</summary>
    public bool HasDeprecationSource { get; init; }
    public bool HasKeyRotationSource { get; init; }
    public required DateTimeOffset UnpricedTo { get; init; }
}
