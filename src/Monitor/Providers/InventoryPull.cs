using Monitor.Core.Budgets;
using Monitor.Core.Deprecations;
using Monitor.Core.Keys;

namespace Monitor.Providers;

/// <summary>
/// What a provider lists now: keys, models, its spend limit (Mistral) and prepaid balance (OpenRouter, Kilo).
/// Null where the provider has no such listing, or where that listing failed: each listing fails on its own
/// (<see cref="TryAsync"/>), so a refused model list never loses the keys or the spend limit.
/// </summary>
public sealed record InventoryPull(
    IReadOnlyList<ApiKeyInfo>? Keys, IReadOnlyList<ModelInfo>? Models, SpendLimitInfo? SpendLimit, CreditBalanceInfo? Balance = null)
{
    /// <summary>The listings that failed, each naming its endpoint; the others are in this pull.</summary>
    public IReadOnlyList<ProviderException> Failures { get; init; } = [];

    /// <summary>Runs one listing; a provider failure is added to <paramref name="failures"/> and gives null instead of ending the inventory.</summary>
    public static async Task<T?> TryAsync<T>(List<ProviderException> failures, Func<Task<T>> listing) where T : class
    {
        ArgumentNullException.ThrowIfNull(failures);
        ArgumentNullException.ThrowIfNull(listing);
        try
        {
            return await listing();
        }
        catch (ProviderException e)
        {
            failures.Add(e);
            return null;
        }
    }
}
