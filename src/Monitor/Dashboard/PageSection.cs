namespace Monitor.Dashboard;

/// <summary>
/// The fixed sections a page can show after its panels. Wire names: alerts, deprecations, keys_due, freshness,
/// reconciliation, spend_limits, unpriced, usage_sources. A page without <c>sections</c> shows freshness, spend_limits
/// and unpriced.
/// </summary>
public enum PageSection
{
    /// <summary>Open alerts, anomalies first, with acknowledge and mute buttons.</summary>
    Alerts,
    Deprecations,
    KeysDue,
    Freshness,
    Reconciliation,
    SpendLimits,
    Unpriced,

    /// <summary>Per account with two usage sources: which one counts, and the other's month-to-date spend and tokens beside it.</summary>
    UsageSources,
}
