using Monitor.Core.Budgets;
using Monitor.Core.Deprecations;
using Monitor.Core.Keys;

namespace Monitor.Providers;

/// <summary>What a provider lists now: keys, models and (Mistral) its spend limit. Null where the provider has no such listing.</summary>
public sealed record InventoryPull(IReadOnlyList<ApiKeyInfo>? Keys, IReadOnlyList<ModelInfo>? Models, SpendLimitInfo? SpendLimit);
