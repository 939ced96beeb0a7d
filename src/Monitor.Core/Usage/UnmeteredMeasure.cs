namespace Monitor.Core.Usage;

/// <summary>
/// What a day's comparison of the two sources adds up: cost where every model of both sides is priced in one currency
/// (a model named differently by the provider and the proxy still compares), tokens otherwise (always reported by both).
/// </summary>
public enum UnmeteredMeasure
{
    Cost,
    Tokens,
}
