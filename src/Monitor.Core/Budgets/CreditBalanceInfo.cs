using Monitor.Core.Pricing;

namespace Monitor.Core.Budgets;

/// <summary>A prepaid credit balance as the provider reports it now (OpenRouter credits, Kilo balance).</summary>
public sealed record CreditBalanceInfo
{
    public required Currency Currency { get; init; }

    /// <summary>What is left to spend.</summary>
    public required decimal Remaining { get; init; }

    /// <summary>Credits bought in all, where the provider says.</summary>
    public decimal? Total { get; init; }

    /// <summary>The provider's own flag that the balance is used up, where it has one.</summary>
    public bool Depleted { get; init; }
}
