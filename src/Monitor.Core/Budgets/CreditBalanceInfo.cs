using Monitor.Core.Pricing;

namespace Monitor.Core.Budgets;

/// <summary>A credit balance as the provider reports it now (OpenRouter credits, Kilo balance or member allowance).</summary>
public sealed record CreditBalanceInfo
{
    public required Currency Currency { get; init; }

    /// <summary>What is left to spend.</summary>
    public required decimal Remaining { get; init; }

    /// <summary>Credits bought in all, where the provider says.</summary>
    public decimal? Total { get; init; }

    /// <summary>The provider's own flag that the balance is used up, where it has one.</summary>
    public bool Depleted { get; init; }

    /// <summary>Prepaid credits (forecast to run out) or an allowance someone else sets (no run-out forecast).</summary>
    public BalanceKind Kind { get; init; } = BalanceKind.Prepaid;
}
