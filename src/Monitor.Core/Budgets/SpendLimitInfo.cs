using Monitor.Core.Pricing;

namespace Monitor.Core.Budgets;

/// <summary>The provider's own month-to-date spend and monthly cap (Mistral's spend-limit endpoint).</summary>
public sealed record SpendLimitInfo
{
    public required Currency Currency { get; init; }
    public decimal? Usage { get; init; }

    /// <summary>Null when the organisation has no monthly limit.</summary>
    public decimal? Limit { get; init; }

    public bool LimitReached { get; init; }
    public bool PaymentFailure { get; init; }
}
