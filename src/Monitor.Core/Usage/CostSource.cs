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
