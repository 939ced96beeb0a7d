namespace Monitor.Core.Budgets;

/// <summary>What a provider's balance figure is.</summary>
public enum BalanceKind
{
    /// <summary>Credits bought in advance and spent down (OpenRouter credits, a personal Kilo balance): runs out at the burn rate.</summary>
    Prepaid,

    /// <summary>
    /// What a member may still spend now, set by someone else and reset by the provider (a Kilo organisation member's
    /// daily allowance, capped at the organisation's balance): not a prepaid balance, so no run-out forecast.
    /// </summary>
    Allowance,
}
