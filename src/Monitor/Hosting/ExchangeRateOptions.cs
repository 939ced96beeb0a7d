namespace Monitor.Hosting;

/// <summary>One entry of <c>Monitor:Pricing:ExchangeRates</c>: 1 From = Rate To, from EffectiveFrom on.</summary>
public sealed class ExchangeRateOptions
{
    public string From { get; set; } = "";
    public string To { get; set; } = "";
    public decimal Rate { get; set; }
    public string EffectiveFrom { get; set; } = "";
}
