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
    public required DateTimeOffset UnpricedTo { get; init; }
}
