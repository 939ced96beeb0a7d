namespace Monitor.Core.Usage;

/// <summary>
/// Where a record's cost comes from: the provider reported it, we estimated it from the price catalog,
/// or neither is possible (no price for that model and currency): unpriced, never a silent zero.
/// </summary>
public enum CostSource
{
    Reported,
    Estimated,
    Unpriced,
}

public static class CostSources
{
    /// <summary>The one rule: a reported cost wins, else the catalog estimate, else the record is unpriced.</summary>
    public static CostSource Of(decimal? reported, decimal? estimate) =>
        reported is not null ? CostSource.Reported : estimate is not null ? CostSource.Estimated : CostSource.Unpriced;
}
