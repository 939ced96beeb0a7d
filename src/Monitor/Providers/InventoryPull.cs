using Monitor.Core.Budgets;
using Monitor.Core.Deprecations;
using Monitor.Core.Keys;

namespace Monitor.Providers;

/// <summary>
/// What a provider lists now: keys, models, its spend limit (Mistral) and prepaid balance (OpenRouter, Kilo).
/// Null where the provider has no such listing.
/// </summary>
public sealed record InventoryPull(
    IReadOnlyList<ApiKeyInfo>? Keys, IReadOnlyList<ModelInfo>? Models, SpendLimitInfo? SpendLimit, CreditBalanceInfo? Balance = null);
