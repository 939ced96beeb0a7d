namespace Monitor.Hosting;

public sealed class PricingOptions
{
    /// <summary>A JSON price file of the same shape as the shipped catalog; its entries win over shipped ones.</summary>
    public string OverrideFile { get; set; } = "";

    /// <summary>Dated conversions; without one, spend in another currency is never added to a budget.</summary>
    public List<ExchangeRateOptions> ExchangeRates { get; set; } = [];
}
